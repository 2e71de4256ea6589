using Dispatch.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace Dispatch.Browser.Tests;

/// <summary>The nurse-station board in a browser context of its own, as a test drives it.</summary>
public sealed class StationPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public ILocator Calls => Page.Locator("#calls .call");

    public ILocator Call(long callId) => Page.Locator($"#calls .call[data-call-id='{callId}']");

    public ILocator SilentStation(int deviceId) => Page.Locator($"#silent-stations .station-silent[data-device-id='{deviceId}']");

    /// <summary>Signs a nurse in on a fresh page; with a station key (typed into the form) the page is that station's screen.</summary>
    public static async Task<StationPage> SignInAsync(IBrowser browser, Uri server, TestStaff nurse, string language = "en", string? stationKey = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.ToString(), ViewportSize = new() { Width = 1280, Height = 720 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        if (language != "en")
        {
            await page.SelectOptionAsync("#language", language);
        }
        await page.FillAsync("#username", nurse.Username);
        await page.FillAsync("#password", nurse.Password);
        if (stationKey is not null)
        {
            await page.FillAsync("#station-key", stationKey);
        }
        await page.ClickAsync("#sign-in button[type=submit]");
        await page.Locator(".connection.connected").WaitForAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#sign-in")).ToBeHiddenAsync();
        return new StationPage(context, page);
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}

/// <summary>The bedside simulator page: a bed device pressing its buttons.</summary>
public sealed class BedsidePage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public static async Task<BedsidePage> OpenAsync(IBrowser browser, Uri server, TestBed bed)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/bedside.html");
        await page.FillAsync("#bed", $"{bed.BedId}");
        await page.FillAsync("#device-key", bed.DeviceKey);
        return new BedsidePage(context, page);
    }

    /// <summary>Presses the call button with a kind; returns the new call's id.</summary>
    public async Task<long> RaiseAsync(string kind)
    {
        await page.SelectOptionAsync("#kind", kind);
        var before = await page.InputValueAsync("#call");
        await page.ClickAsync("#raise");
        await Assertions.Expect(page.Locator("#call")).Not.ToHaveValueAsync(before);
        return long.Parse(await page.InputValueAsync("#call"), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task PresenceAsync(TestStaff nurse)
    {
        await page.FillAsync("#staff", $"{nurse.StaffId}");
        await page.ClickAsync("#presence");
        await page.Locator("#result").Filter(new() { HasTextRegex = new("^200 ") }).WaitForAsync();
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}
