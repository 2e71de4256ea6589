using Dispatch.Contracts;
using Dispatch.Server.Clinical;

namespace Dispatch.Server.Tests;

public sealed class CallKindRulesTests
{
    [Fact]
    public void KindsRankFromCodeBlueDownToTrouble()
    {
        string[] mostUrgentFirst = [CallKinds.CodeBlue, CallKinds.StaffEmergency, CallKinds.StaffAssist, CallKinds.Bath, CallKinds.Normal, CallKinds.Trouble];

        mostUrgentFirst.Select(CallKindRules.BasePriority).Should().BeInDescendingOrder().And.OnlyHaveUniqueItems();
        CallKinds.All.Should().BeEquivalentTo(mostUrgentFirst);
    }

    [Fact]
    public void TheHighestEscalationNeverLiftsACallIntoTheNextKindsBand()
    {
        const int highestEscalation = 5;
        var priorities = CallKinds.All.Select(CallKindRules.BasePriority).Order().ToList();

        priorities.Zip(priorities.Skip(1)).Should().AllSatisfy(pair => (pair.First + highestEscalation).Should().BeLessThan(pair.Second));
    }

    [Fact]
    public void PresenceClearsEveryKindButCodeAndEmergencyCalls()
    {
        CallKinds.All.Where(k => !CallKindRules.IsClearedByPresence(k)).Should().BeEquivalentTo([CallKinds.CodeBlue, CallKinds.StaffEmergency]);
    }

    [Fact]
    public void APatientMayRaiseOnlyNormalAndBathCalls()
    {
        CallKinds.All.Where(CallKindRules.MayBeRaisedByPatient).Should().BeEquivalentTo([CallKinds.Normal, CallKinds.Bath]);
    }

    [Fact]
    public void EachKindHasTheBandItLooksAndSoundsIn()
    {
        CallKinds.All.Select(CallKindRules.Band).Should().Equal("code", "emergency", "assist", "routine", "routine", "trouble");
    }

    [Fact]
    public void OnlyTheSystemRaisesTroubleCalls()
    {
        CallKinds.All.Where(k => !CallKindRules.MayBeRaisedAtBedside(k)).Should().BeEquivalentTo([CallKinds.Trouble]);
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
