using Dispatch.Testing;
using Microsoft.Playwright;

namespace Dispatch.Browser.Tests;

/// <summary>Debian's Chromium (package chromium), headless, driven by Playwright; one browser per collection.</summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // CI runs as root, where Chromium's sandbox cannot start.
            Args = ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<DispatchFixture>, ICollectionFixture<ChromiumFixture>
{
    public const string Name = "Chromium against a Dispatch server";
}
