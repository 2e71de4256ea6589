using Dispatch.Server.Hospital;

namespace Dispatch.Server.Tests;

public sealed class HospitalFileTests
{
    private const string Good = """
        {
          "floors": [{ "name": "Ground", "level": 0, "wards": [{ "name": "Emergency", "department": "Emergency",
                       "rooms": [{ "name": "E01", "beds": ["A", "B"] }], "stations": ["Desk"] }] }],
          "staff": [{ "username": "a.rahman", "name": "Aisha Rahman", "role": "nurse", "ward": "Emergency" },
                    { "username": "it.admin", "name": "Hospital IT", "role": "admin" }],
          "teams": [{ "name": "Code team", "members": ["a.rahman"], "kinds": ["code_blue", "staff_emergency"] }]
        }
        """;

    [Fact]
    public void AWellFormedFileHasNoProblems()
    {
        var (file, error) = HospitalFileReader.Parse(Good);

        error.Should().BeNull();
        HospitalFileReader.Problems(file!).Should().BeEmpty();
        file!.Floors![0].Wards![0].Rooms![0].Beds.Should().Equal("A", "B");
        file.Teams![0].Kinds.Should().Equal("code_blue", "staff_emergency");
    }

    [Theory]
    [InlineData("""{ "floors": [{ "level": 0 }] }""", "floors[0].name: required.")]
    [InlineData("""{ "floors": [{ "name": "Ground" }] }""", "floors[0].level: required")]
    [InlineData("""{ "floors": [{ "name": "G", "level": 0 }, { "name": "g", "level": 1 }] }""", "floors[1].name: 'g' is used twice")]
    [InlineData("""{ "floors": [{ "name": "G", "level": 0, "wards": [{ "name": "W" }] }] }""", "floors[0].wards[0].department: required.")]
    [InlineData("""{ "floors": [{ "name": "G", "level": 0, "wards": [{ "name": "W", "department": "D" }] }, { "name": "H", "level": 1, "wards": [{ "name": "W", "department": "D" }] }] }""",
        "floors[1].wards[0].name: 'W' is used twice")]
    [InlineData("""{ "floors": [{ "name": "G", "level": 0, "wards": [{ "name": "W", "department": "D", "rooms": [{ "name": "1", "beds": ["A", " a "] }] }] }] }""",
        "floors[0].wards[0].rooms[0].beds[1]: 'a' is used twice")]
    [InlineData("""{ "floors": [{ "name": "G", "level": 0, "wards": [{ "name": "W", "department": "D", "rooms": [{ "name": "123456789012345678901234567890123" }] }] }] }""",
        "floors[0].wards[0].rooms[0].name: '123456789012345678901234567890123' is longer than 32 characters.")]
    [InlineData("""{ "floors": [{ "name": "G", "level": 0, "wards": [{ "name": "W", "department": "D", "stations": [""] }] }] }""",
        "floors[0].wards[0].stations[0]: required.")]
    [InlineData("""{ "floors": [null] }""", "floors[0]: empty.")]
    [InlineData("""{ "staff": [{ "username": "a b", "name": "A", "role": "admin" }] }""", "staff[0].username: 'a b' may hold only letters")]
    [InlineData("""{ "staff": [{ "username": "a", "name": "A", "role": "admin" }, { "username": "A", "name": "B", "role": "admin" }] }""", "staff[1].username: 'A' is used twice")]
    [InlineData("""{ "staff": [{ "username": "a", "name": "A", "role": "doctor" }] }""", "staff[0].role: 'doctor' is not one of nurse, manager, admin.")]
    [InlineData("""{ "staff": [{ "username": "a", "name": "A", "role": "nurse" }] }""", "staff[0].ward: required for a nurse")]
    [InlineData("""{ "staff": [{ "username": "a", "role": "admin" }] }""", "staff[0].name: required.")]
    [InlineData("""{ "teams": [{ "name": "Code", "kinds": ["code_blue"] }] }""", "teams[0].members: required")]
    [InlineData("""{ "teams": [{ "name": "Code", "members": ["a"] }] }""", "teams[0].kinds: required")]
    [InlineData("""{ "teams": [{ "name": "Code", "members": ["a"], "kinds": ["cardiac_arrest"] }] }""", "teams[0].kinds[0]: 'cardiac_arrest' is not one of code_blue,")]
    [InlineData("""{ "teams": [{ "name": "Code", "members": ["a", "A"], "kinds": ["code_blue"] }] }""", "teams[0].members[1]: 'A' is used twice")]
    [InlineData("""{ "teams": [{ "members": ["a"], "kinds": ["code_blue"] }] }""", "teams[0].name: required.")]
    public void EachProblemSaysWhereItIs(string json, string problem)
    {
        var (file, error) = HospitalFileReader.Parse(json);

        error.Should().BeNull();
        HospitalFileReader.Problems(file!).Should().ContainSingle().Which.Should().StartWith(problem);
    }

    [Theory]
    [InlineData("""{ "floors": [{ "name": "G", "level": 0, "wards": [{ "name": "W", "department": "D", "rooms": [{ "name": "1", "bed": ["A"] }] }] }] }""", "'bed'")]
    [InlineData("""{ "floors": [{ "name": "G", "level": "ground" }] }""", "$.floors[0].level")]
    [InlineData("""{ "floors": [""", "Not a hospital file")]
    [InlineData("null", "empty")]
    public void AFileThatIsNotAHospitalFileIsRefusedWithTheReason(string json, string reason)
    {
        var (file, error) = HospitalFileReader.Parse(json);

        file.Should().BeNull();
        error.Should().StartWith("Not a hospital file:").And.Contain(reason);
    }
}
