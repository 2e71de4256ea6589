using Dispatch.Server.Node;

namespace Dispatch.Server.Tests;

public sealed class DrainPlanTests
{
    private static (string, IReadOnlySet<int>) Station(string id, params int[] wards) => (id, wards.ToHashSet());

    [Fact]
    public void EveryConnectionIsInExactlyOneBatchAndNoBatchIsOverSize()
    {
        var connections = Enumerable.Range(0, 200).Select(i => Station($"c{i}", i % 7)).ToList();

        var batches = DrainPlan.Batches(connections, batchSize: 25);

        batches.SelectMany(b => b).Should().BeEquivalentTo(connections.Select(c => c.Item1)).And.OnlyHaveUniqueItems();
        batches.Should().OnlyContain(b => b.Count >= 1 && b.Count <= 25);
        batches.Should().HaveCount(8, "200 connections in batches of 25, each ward's share fits");
    }

    [Fact]
    public void AWardWithSeveralStationsHereNeverMovesInOneBatch()
    {
        // Ward 1 has two stations here, ward 2 three, ward 3 one; one station watches wards 1 and 2.
        var connections = new[]
        {
            Station("a", 1), Station("b", 1, 2), Station("c", 2), Station("d", 2), Station("e", 3),
        };

        var batches = DrainPlan.Batches(connections, batchSize: 100);

        foreach (var (ward, stations) in new[] { (1, new[] { "a", "b" }), (2, new[] { "b", "c", "d" }) })
        {
            batches.Should().OnlyContain(b => stations.Count(b.Contains) <= Math.Max(1, stations.Length / 2),
                $"ward {ward} keeps stations here while the others move");
        }
        batches.Should().Contain(b => b.Contains("e"), "a ward's only station here moves too");
        batches.SelectMany(b => b).Should().HaveCount(5).And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void StationsWatchingNoWardMoveInTheFirstBatches()
    {
        var batches = DrainPlan.Batches([Station("idle-1"), Station("idle-2"), Station("idle-3")], batchSize: 2);

        batches.Should().HaveCount(2);
        batches[0].Should().Equal("idle-1", "idle-2");
    }

    [Fact]
    public void NoConnectionsMeansNoBatches() => DrainPlan.Batches([], batchSize: 10).Should().BeEmpty();
}
