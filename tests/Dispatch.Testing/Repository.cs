namespace Dispatch.Testing;

/// <summary>Files of this repository the tests run as shipped (the bridge build, the nginx template).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Release or Debug: the configuration these tests were built in.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    /// <summary>A deployable of this repository as the solution build left it (src/NAME/bin/…/NAME.dll).</summary>
    public static string BuiltAssembly(string name)
    {
        var dll = Path.Combine(Root, "src", name, "bin", Configuration, "net10.0", $"{name}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build {name} first (the solution build does).", dll);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dispatch.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new DirectoryNotFoundException("The tests run from outside the repository.");
    }
}
