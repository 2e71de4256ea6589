using Dispatch.Testing;
using Microsoft.Playwright;

namespace Dispatch.Browser.Tests;

/// <summary>The nurse-station board in a browser context of its own, as a test drives it.</summary>
public sealed class StationPage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page { get; } = page;

    public ILocator Calls => Page.Locator("#calls .call");

    public ILocator Call(long callId) => Page.Locator($"#calls .call[data-call-id='{callId}']");

    /// <summary>
    /// Taps a call's button as a nurse would: once its tile has stood still long enough for the
    /// board to take the tap (a tile that just moved ignores taps for 0.7 s; board.js).
    /// </summary>
    public async Task TapAsync(long callId, string button)
    {
        var target = Call(callId).Locator($"button.{button}");
        await Page.WaitForFunctionAsync("el => Date.now() - Number(el.closest('.call').dataset.movedAt ?? 0) > 700", await target.ElementHandleAsync());
        await target.ClickAsync();
    }

    public ILocator SilentStation(int deviceId) => Page.Locator($"#silent-stations .station-silent[data-device-id='{deviceId}']");

    /// <summary>
    /// Signs a nurse in on a fresh page; with a station key (typed into the form) the page is that
    /// station's screen. beforeSignIn sets up the fresh page before it loads (a WebSocket route, say).
    /// </summary>
    public static async Task<StationPage> SignInAsync(
        IBrowser browser, Uri server, TestStaff nurse, string language = "en", string? stationKey = null, Func<IPage, Task>? beforeSignIn = null,
        ViewportSize? screen = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.ToString(),
            ViewportSize = screen ?? new() { Width = 1280, Height = 720 },
        });
        var page = await context.NewPageAsync();
        if (beforeSignIn is not null)
        {
            await beforeSignIn(page);
        }
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

    /// <summary>From now on the page notes when each call row first appears (wall clock, ms), as the nurse would see it.</summary>
    public Task RecordArrivalsAsync() => Page.EvaluateAsync("""
        () => {
          window.arrivals = {};
          new MutationObserver(() => {
            for (const row of document.querySelectorAll("#calls .call")) window.arrivals[row.dataset.callId] ??= Date.now();
          }).observe(document.querySelector("#calls"), { childList: true, subtree: true });
        }
        """);

    /// <summary>When the call's row first appeared (after <see cref="RecordArrivalsAsync"/>).</summary>
    public Task<double> ArrivedAtAsync(long callId) => Page.EvaluateAsync<double>("id => window.arrivals[id]", $"{callId}");

    public async ValueTask DisposeAsync() => await context.DisposeAsync();
}

/// <summary>The bedside simulator page: a bed device pressing its buttons.</summary>
public sealed class BedsidePage(IBrowserContext context, IPage page) : IAsyncDisposable
{
    public IPage Page => page;

    public static async Task<BedsidePage> OpenAsync(IBrowser browser, Uri server, TestBed bed)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.ToString() });
        var page = await context.NewPageAsync();
        // Set up as a ward's staff sets a panel up: once, by its link; then the staff panel is opened.
        await page.GotoAsync(SetUpLink(bed));
        await page.EvaluateAsync("() => document.querySelector('#staff-panel').open = true");
        // The page's own clock at each press, comparable with the boards' arrival times.
        await page.EvaluateAsync("() => document.querySelector('#raise').addEventListener('click', () => window.pressedAt = Date.now(), { capture: true })");
        return new BedsidePage(context, page);
    }

    /// <summary>The link that sets a bedside page up for a bed (docs: README, "Try it").</summary>
    public static string SetUpLink(TestBed bed) => $"/bedside.html#bed={bed.BedId}&key={Uri.EscapeDataString(bed.DeviceKey)}";

    /// <summary>When the call button was last pressed (wall clock, ms).</summary>
    public Task<double> PressedAtAsync() => page.EvaluateAsync<double>("() => window.pressedAt");

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
