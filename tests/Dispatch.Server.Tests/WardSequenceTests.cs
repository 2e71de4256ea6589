using Dispatch.Client;

namespace Dispatch.Server.Tests;

public sealed class WardSequenceTests
{
    [Fact]
    public void TheNextSequenceIsAppliedAndAnOldOneIsADuplicate()
    {
        var ward = new WardSequence(last: 5);

        ward.Observe(6).Should().Be(SequenceVerdict.Next);
        ward.Observe(6).Should().Be(SequenceVerdict.Duplicate);
        ward.Observe(3).Should().Be(SequenceVerdict.Duplicate);
        ward.Last.Should().Be(6);
    }

    [Fact]
    public void AJumpIsAGapAndIsNotApplied()
    {
        var ward = new WardSequence(last: 5);

        ward.Observe(8).Should().Be(SequenceVerdict.Gap);
        ward.Last.Should().Be(5, "the missing events come first");
        ward.Observe(6).Should().Be(SequenceVerdict.Next);
    }

    [Fact]
    public void AHeartbeatAheadOfTheLastAppliedSequenceMeansEventsWereMissed()
    {
        var ward = new WardSequence(last: 5);

        ward.IsBehind(5).Should().BeFalse();
        ward.IsBehind(6).Should().BeTrue();
    }
}
