using System.Text.RegularExpressions;

namespace Dispatch.Server.Tests;

/// <summary>
/// Dependencies inside Dispatch.Server point one way (docs/architecture.md, "Inside the server"):
/// a folder may use the folders of the layers below its own, never its own layer's nor those
/// above. So nothing points upward and no two folders form a loop. Read from each file's
/// <c>using Dispatch.Server.*</c> lines.
/// </summary>
public sealed partial class LayeringTests
{
    /// <summary>The server's folders, lowest layer first. Program.cs, at the top, may use them all.</summary>
    private static readonly string[][] s_layers =
    [
        ["Infrastructure", "Observability"],
        ["Errors"],
        ["Clinical"],
        ["Sessions"],
        ["Calls"],
        ["Escalation", "Devices", "Lines", "Paging"],
        ["Supervision", "Hospital", "Kpis", "Audit"],
        ["Realtime"],
        ["Node", "Ops"],
        ["Admin", "Web"],
    ];

    [Fact]
    public void EveryServerFolderIsInALayer()
    {
        var listed = s_layers.SelectMany(layer => layer).ToHashSet();
        var folders = Directory.GetDirectories(ServerSource)
            .Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj" or "Properties"))
            .ToList();

        folders.Should().NotBeEmpty().And.OnlyContain(folder => listed.Contains(folder!),
            "each folder of src/Dispatch.Server has its place in the layers written at the top of this test");
    }

    [Fact]
    public void ServerFoldersUseOnlyTheLayersBelowThem()
    {
        var layerOf = s_layers.SelectMany((layer, rank) => layer.Select(folder => (folder, rank))).ToDictionary(x => x.folder, x => x.rank);

        var wrong = Dependencies()
            .Where(d => d.From != "." && layerOf.ContainsKey(d.From) && (!layerOf.TryGetValue(d.To, out var to) || to >= layerOf[d.From]))
            .Select(d => $"{d.File}: {d.From} uses {d.To}")
            .Distinct()
            .ToList();

        wrong.Should().BeEmpty("a folder may use only the folders of lower layers; a use of its own layer or one above points upward or closes a loop");
    }

    [Fact]
    public void TheCheckSeesTheDependenciesThatExist()
    {
        // Guards the check itself: if the source were not found or not parsed, it would pass on nothing.
        Dependencies().Should().Contain(d => d.From == "Calls" && d.To == "Infrastructure")
            .And.Contain(d => d.From == "Realtime" && d.To == "Calls")
            .And.Contain(d => d.From == "." && d.To == "Node");
    }

    private sealed record Dependency(string File, string From, string To);

    private static IEnumerable<Dependency> Dependencies() =>
        from file in Directory.EnumerateFiles(ServerSource, "*.cs", SearchOption.AllDirectories)
        let relative = Path.GetRelativePath(ServerSource, file)
        let folder = relative.Contains(Path.DirectorySeparatorChar) ? relative.Split(Path.DirectorySeparatorChar)[0] : "."
        where folder is not ("bin" or "obj")
        from match in ServerUsing().Matches(File.ReadAllText(file))
        select new Dependency(relative, folder, match.Groups[1].Value);

    [GeneratedRegex(@"^using Dispatch\.Server\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex ServerUsing();

    private static string ServerSource
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dispatch.sln")))
            {
                dir = dir.Parent;
            }
            return dir is null
                ? throw new InvalidOperationException($"No Dispatch.sln above {AppContext.BaseDirectory}.")
                : Path.Combine(dir.FullName, "src", "Dispatch.Server");
        }
    }
}
