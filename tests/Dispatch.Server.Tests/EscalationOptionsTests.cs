using System.ComponentModel.DataAnnotations;
using Dispatch.Contracts;
using Dispatch.Server.Clinical;

namespace Dispatch.Server.Tests;

public sealed class EscalationOptionsTests
{
    private static readonly int[] s_levels = [1, 2, 3];

    [Fact]
    public void AKindWithALadderOfItsOwnClimbsOnItAndInheritsTheLevelsItDoesNotSet()
    {
        var options = new EscalationOptions { Kinds = { [CallKinds.CodeBlue] = new KindLadder { Level1Seconds = 30 } } };

        Errors(options).Should().BeEmpty();
        s_levels.Select(level => options.SecondsTo(CallKinds.CodeBlue, level)).Should().Equal(30, 180, 300);
        s_levels.Select(level => options.SecondsTo(CallKinds.Normal, level)).Should().Equal(90, 180, 300);
    }

    [Fact]
    public void AnUnknownKindOrALadderOutOfOrderStopsTheServerFromStartingWithASentenceNamingIt()
    {
        var options = new EscalationOptions
        {
            Kinds =
            {
                ["codeblue"] = new KindLadder { Level1Seconds = 30 },
                [CallKinds.StaffAssist] = new KindLadder { Level1Seconds = 200 },
                [CallKinds.Bath] = new KindLadder { Level3Seconds = 99_999 },
            },
        };

        Errors(options).Should().SatisfyRespectively(
            e => e.Should().StartWith("Escalation:Kinds:codeblue is not a call kind"),
            e => e.Should().StartWith("Escalation:Kinds:staff_assist: levels must come in order"),
            e => e.Should().StartWith("Escalation:Kinds:bath: each level is 1 to 3600 seconds"));
    }

    private static IEnumerable<string?> Errors(EscalationOptions options) =>
        options.Validate(new ValidationContext(options)).Select(r => r.ErrorMessage);
}
