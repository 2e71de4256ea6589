namespace Dispatch.Outbox;

/// <summary>
/// The last N observations, for gauges whose alert thresholds speak of a recent average or rate
/// (assign time, failure rate, poll duration) rather than of the whole uptime.
/// </summary>
public sealed class RollingWindow(int capacity)
{
    private readonly double[] _values = new double[capacity];
    private readonly Lock _gate = new();
    private int _count;
    private int _next;

    public void Add(double value)
    {
        lock (_gate)
        {
            _values[_next] = value;
            _next = (_next + 1) % _values.Length;
            _count = Math.Min(_count + 1, _values.Length);
        }
    }

    /// <summary>The mean of the observations in the window, or 0 when there are none.</summary>
    public double Average()
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                return 0;
            }
            var sum = 0.0;
            foreach (var value in _values.AsSpan(0, _count))
            {
                sum += value;
            }
            return sum / _count;
        }
    }
}
