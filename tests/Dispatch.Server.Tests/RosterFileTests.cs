using Dispatch.Server.Hospital;

namespace Dispatch.Server.Tests;

public sealed class RosterFileTests
{
    [Fact]
    public void AWellFormedRosterHasNoProblems()
    {
        var (file, error) = RosterFileReader.Parse("""
            { "shifts": [{ "from": "2026-12-01T07:00:00Z", "to": "2026-12-01T19:00:00Z",
                           "assignments": [{ "nurse": "a.rahman", "primary": ["Emergency / E01 / A"], "secondary": ["Emergency/E02/A"] }] }] }
            """);

        error.Should().BeNull();
        RosterFileReader.Problems(file!).Should().BeEmpty();
        file!.Shifts![0].To.Should().Be(new DateTimeOffset(2026, 12, 1, 19, 0, 0, TimeSpan.Zero));
    }

    [Theory]
    [InlineData("""{ "shifts": [{ "to": "2026-12-01T19:00:00Z" }] }""", "shifts[0]: 'from' and 'to' are required")]
    [InlineData("""{ "shifts": [{ "from": "2026-12-01T19:00:00Z", "to": "2026-12-01T07:00:00Z" }] }""", "shifts[0]: 'to' must come after 'from', at most 24 hours later.")]
    [InlineData("""{ "shifts": [{ "from": "2026-12-01T07:00:00Z", "to": "2026-12-02T07:01:00Z" }] }""", "shifts[0]: 'to' must come after 'from', at most 24 hours later.")]
    [InlineData("""{ "shifts": [{ "from": "2026-12-01T07:00:30Z", "to": "2026-12-01T19:00:00Z" }] }""", "shifts[0]: 'from' and 'to' must be whole minutes.")]
    [InlineData("""{ "shifts": [null] }""", "shifts[0]: empty.")]
    [InlineData("""{ "shifts": [{ "from": "2026-12-01T07:00:00Z", "to": "2026-12-01T19:00:00Z", "assignments": [{ "primary": ["W/R/A"] }] }] }""",
        "shifts[0].assignments[0].nurse: required")]
    [InlineData("""{ "shifts": [{ "from": "2026-12-01T07:00:00Z", "to": "2026-12-01T19:00:00Z", "assignments": [{ "nurse": "a" }, { "nurse": "A" }] }] }""",
        "shifts[0].assignments[1].nurse: 'A' is listed twice in this shift.")]
    [InlineData("""{ "shifts": [{ "from": "2026-12-01T07:00:00Z", "to": "2026-12-01T19:00:00Z", "assignments": [{ "nurse": "a", "primary": ["W/R/A"] }, { "nurse": "b", "primary": ["w / r / a"] }] }] }""",
        "shifts[0].assignments[1].primary[0]: 'w / r / a' has another primary nurse in this shift.")]
    [InlineData("""{ "shifts": [{ "from": "2026-12-01T07:00:00Z", "to": "2026-12-01T19:00:00Z", "assignments": [{ "nurse": "a", "secondary": ["W/R"] }] }] }""",
        "shifts[0].assignments[0]: 'W/R' is not a bed's name as ward/room/bed.")]
    public void EachProblemSaysWhereItIs(string json, string problem)
    {
        var (file, error) = RosterFileReader.Parse(json);

        error.Should().BeNull();
        RosterFileReader.Problems(file!).Should().ContainSingle().Which.Should().StartWith(problem);
    }

    [Fact]
    public void AMisspeltFieldIsRefusedRatherThanSkipped()
    {
        var (file, error) = RosterFileReader.Parse("""{ "shifts": [{ "from": "2026-12-01T07:00:00Z", "to": "2026-12-01T19:00:00Z", "assignment": [] }] }""");

        file.Should().BeNull();
        error.Should().StartWith("Not a roster file:").And.Contain("'assignment'");
    }
}
