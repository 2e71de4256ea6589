namespace Dispatch.Server.Node;

/// <summary>
/// Cuts a node's connections into drain batches so that a ward never goes dark: a batch holds at
/// most half of a ward's connections on this node (at least one), so a ward with two or more
/// stations here moves in two or more batches, and the ones still here keep showing its calls.
/// </summary>
public static class DrainPlan
{
    public static IReadOnlyList<IReadOnlyList<string>> Batches(
        IReadOnlyList<(string ConnectionId, IReadOnlySet<int> Wards)> connections, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var perBatchCap = connections
            .SelectMany(c => c.Wards)
            .GroupBy(ward => ward)
            .ToDictionary(g => g.Key, g => Math.Max(1, g.Count() / 2));

        var remaining = connections.ToList();
        var batches = new List<IReadOnlyList<string>>();
        while (remaining.Count > 0)
        {
            var inBatch = new Dictionary<int, int>();
            var batch = new List<string>();
            var later = new List<(string ConnectionId, IReadOnlySet<int> Wards)>();
            // The first remaining connection always fits, so every pass makes progress.
            foreach (var connection in remaining)
            {
                if (batch.Count == batchSize || connection.Wards.Any(w => inBatch.GetValueOrDefault(w) >= perBatchCap[w]))
                {
                    later.Add(connection);
                    continue;
                }
                foreach (var ward in connection.Wards)
                {
                    inBatch[ward] = inBatch.GetValueOrDefault(ward) + 1;
                }
                batch.Add(connection.ConnectionId);
            }
            batches.Add(batch);
            remaining = later;
        }
        return batches;
    }
}
