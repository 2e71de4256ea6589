using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Dispatch.Contracts;
using Dispatch.Server.Sessions;
using Dispatch.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Dispatch.Browser.Tests;

/// <summary>axe-core's rules (WCAG 2.x A and AA) run in each page as a nurse, an admin and a bed see it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(DispatchFixture server, ChromiumFixture chromium, ITestOutputHelper output)
{
    private static readonly AxeRunOptions s_wcag = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    [Fact]
    public async Task TheBoardWithCallsOfEveryBandHasNoSeriousViolation()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 5);
        foreach (var (bed, kind) in ward.Beds.Zip([CallKinds.CodeBlue, CallKinds.StaffEmergency, CallKinds.StaffAssist, CallKinds.Bath, CallKinds.Normal]))
        {
            await server.RaiseCallAsync(bed, kind);
        }
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]);
        await Assertions.Expect(station.Calls).ToHaveCountAsync(5);

        Serious(await station.Page.RunAxe(s_wcag), "the board").Should().BeEmpty();

        // Colour is never the only cue: each band has an icon of its own shape and its kind in words.
        var faces = await station.Calls.EvaluateAllAsync<string[]>(
            "tiles => tiles.map(t => t.dataset.band + '|' + t.querySelector('.icon').innerHTML + '|' + t.querySelector('.kind').textContent)");
        var byBand = faces.Select(f => f.Split('|')).GroupBy(f => f[0]).ToDictionary(g => g.Key, g => g.First());
        byBand.Keys.Should().BeEquivalentTo(["code", "emergency", "assist", "routine"]);
        byBand.Values.Select(f => f[1]).Should().OnlyHaveUniqueItems("each band's icon has its own shape");
        byBand.Values.Should().OnlyContain(f => f[2].Length > 0, "each tile names its kind");
        // As a nurse with protanopia sees it (the Machado et al. 2009 matrix, severity 1): for the record.
        await station.Page.EvaluateAsync("""
            () => {
              document.body.insertAdjacentHTML("beforeend", `<svg width="0" height="0"><filter id="protanopia">
                <feColorMatrix type="matrix" values="0.152286 1.052583 -0.204868 0 0  0.114503 0.786281 0.099216 0 0  -0.003882 -0.048116 1.051998 0 0  0 0 0 1 0"/>
              </filter></svg>`);
              document.documentElement.style.filter = "url(#protanopia)";
            }
            """);
        await station.Page.ScreenshotAsync(new() { Path = Path.Combine(Repository.Root, "docs", "screenshots", "board-protanopia.png") });
    }

    [Fact]
    public async Task TheSignInFormHasNoSeriousViolation()
    {
        var context = await chromium.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();

        Serious(await page.RunAxe(s_wcag), "sign-in").Should().BeEmpty();
        await context.DisposeAsync();
    }

    [Fact]
    public async Task TheOpsPageHasNoSeriousViolation()
    {
        var admin = await server.Hospital().StaffAsync(StaffUser.Admin, wardId: null);
        var context = await chromium.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ops.html");
        await page.FillAsync("#username", admin.Username);
        await page.FillAsync("#password", admin.Password);
        await page.ClickAsync("#sign-in button[type=submit]");
        await Assertions.Expect(page.Locator("#updated")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^updated "));

        Serious(await page.RunAxe(s_wcag), "the ops page").Should().BeEmpty();
        await context.DisposeAsync();
    }

    [Fact]
    public async Task TheBedsidePageHasNoSeriousViolation()
    {
        var context = await chromium.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/bedside.html");

        Serious(await page.RunAxe(s_wcag), "the bedside page").Should().BeEmpty();
        await context.DisposeAsync();
    }

    /// <summary>Every violation is printed; the serious and critical ones are returned, each with where it is.</summary>
    private List<string> Serious(AxeResult result, string page)
    {
        foreach (var violation in result.Violations)
        {
            output.WriteLine($"{page}: {violation.Impact} {violation.Id}: {violation.Help} ({violation.Nodes.Length} elements, e.g. {violation.Nodes.FirstOrDefault()?.Html})");
        }
        output.WriteLine($"{page}: {result.Passes.Length} rules passed, {result.Violations.Length} violated");
        result.Passes.Should().NotBeEmpty("axe ran its rules in the page");
        return [.. result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help}; {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}")];
    }
}
