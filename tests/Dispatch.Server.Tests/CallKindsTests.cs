using Dispatch.Contracts;

namespace Dispatch.Server.Tests;

public sealed class CallKindsTests
{
    [Fact]
    public void KindsRankFromCodeBlueDownToTrouble()
    {
        string[] mostUrgentFirst = [CallKinds.CodeBlue, CallKinds.StaffEmergency, CallKinds.StaffAssist, CallKinds.Bath, CallKinds.Normal, CallKinds.Trouble];

        mostUrgentFirst.Select(CallKinds.BasePriority).Should().BeInDescendingOrder().And.OnlyHaveUniqueItems();
        CallKinds.All.Should().BeEquivalentTo(mostUrgentFirst);
    }

    [Fact]
    public void TheHighestEscalationNeverLiftsACallIntoTheNextKindsBand()
    {
        const int highestEscalation = 5;
        var priorities = CallKinds.All.Select(CallKinds.BasePriority).Order().ToList();

        priorities.Zip(priorities.Skip(1)).Should().AllSatisfy(pair => (pair.First + highestEscalation).Should().BeLessThan(pair.Second));
    }

    [Fact]
    public void PresenceClearsEveryKindButCodeAndEmergencyCalls()
    {
        CallKinds.All.Where(k => !CallKinds.IsClearedByPresence(k)).Should().BeEquivalentTo([CallKinds.CodeBlue, CallKinds.StaffEmergency]);
    }

    [Fact]
    public void APatientMayRaiseOnlyNormalAndBathCalls()
    {
        CallKinds.All.Where(CallKinds.MayBeRaisedByPatient).Should().BeEquivalentTo([CallKinds.Normal, CallKinds.Bath]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("CODE_BLUE")]
    [InlineData("normal ")]
    public void UnknownKindsAreNotAccepted(string? kind)
    {
        CallKinds.IsKnown(kind).Should().BeFalse();
    }
}
