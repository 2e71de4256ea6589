using Dispatch.Server.Admin;


namespace Dispatch.Server.Tests;

public sealed class ShiftTests
{
    [Theory]
    [InlineData("2026-11-24T06:59:00", "2026-11-23T19:00:00")]
    [InlineData("2026-11-24T07:00:00", "2026-11-24T07:00:00")]
    [InlineData("2026-11-24T18:59:00", "2026-11-24T07:00:00")]
    [InlineData("2026-11-24T19:00:00", "2026-11-24T19:00:00")]
    [InlineData("2026-11-24T23:30:00", "2026-11-24T19:00:00")]
    public void TheDemoShiftIsTheTwelveHourDayOrNightShiftRunningNow(string now, string expectedStart)
    {
        var (start, end) = DemoHospitalSeed.CurrentShift(DateTime.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        start.Should().Be(DateTime.Parse(expectedStart, System.Globalization.CultureInfo.InvariantCulture));
        end.Should().Be(start.AddHours(12));
    }
}
