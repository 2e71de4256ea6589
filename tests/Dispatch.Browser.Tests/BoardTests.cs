using System.Net;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Sessions;
using Microsoft.Playwright;

namespace Dispatch.Browser.Tests;

[Collection(BrowserCollection.Name)]
public sealed class BoardTests(DispatchFixture server, ChromiumFixture chromium)
{
    private static readonly string s_screenshots = Path.Combine(Repository.Root, "docs", "screenshots");

    [Fact]
    public async Task TwoStationsShowABedsideCallMostUrgentFirstAnAcknowledgeUpdatesBothAndPresenceClearsIt()
    {
        var ward = await server.Hospital().WardAsync(nurses: 2, beds: 2);
        await using var first = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]);
        await using var second = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[1]);
        await using var bed1 = await BedsidePage.OpenAsync(chromium.Browser, server.BaseAddress, ward.Beds[0]);
        await using var bed2 = await BedsidePage.OpenAsync(chromium.Browser, server.BaseAddress, ward.Beds[1]);

        await first.RecordArrivalsAsync();
        await second.RecordArrivalsAsync();
        var normal = await bed1.RaiseAsync(CallKinds.Normal);
        await Task.WhenAll(first.Call(normal).WaitForAsync(new() { Timeout = 5_000 }), second.Call(normal).WaitForAsync(new() { Timeout = 5_000 }));
        var firstShownInMs = await ShownOnBothAfterPressAsync(normal, bed1, first, second);
        var codeBlue = await bed2.RaiseAsync(CallKinds.CodeBlue);

        foreach (var station in new[] { first, second })
        {
            await station.Call(codeBlue).WaitForAsync(new() { Timeout = 5_000 });
            (await station.Calls.EvaluateAllAsync<string[]>("calls => calls.map(c => c.dataset.callId)"))
                .Should().Equal([$"{codeBlue}", $"{normal}"], "the code blue comes first");
            (await station.Call(codeBlue).GetAttributeAsync("class")).Should().Contain("band-code");
        }
        var nextShownInMs = await ShownOnBothAfterPressAsync(codeBlue, bed2, first, second);
        Console.WriteLine($"A bedside call appeared on both stations {firstShownInMs:F0} ms after the button was pressed " +
            $"(the test's first), the next one {nextShownInMs:F0} ms");

        await first.TapAsync(normal, "acknowledge");
        foreach (var station in new[] { first, second })
        {
            await Assertions.Expect(station.Call(normal)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("status-accepted"));
            (await station.Call(normal).Locator("button.acknowledge").CountAsync()).Should().Be(0, "an accepted call needs no more acknowledging");
        }

        await bed1.PresenceAsync(ward.Nurses[0]);
        foreach (var station in new[] { first, second })
        {
            await Assertions.Expect(station.Call(normal)).ToHaveCountAsync(0);
            await Assertions.Expect(station.Calls).ToHaveCountAsync(1);
            await Assertions.Expect(station.Call(codeBlue)).ToHaveCountAsync(1);
        }

        // At the code blue's bed, presence does not clear the call: both boards say who is in the room.
        await bed2.PresenceAsync(ward.Nurses[1]);
        foreach (var station in new[] { first, second })
        {
            await Assertions.Expect(station.Call(codeBlue).Locator(".who")).ToContainTextAsync("present in the room since");
        }
    }

    [Fact]
    public async Task APageThatNeverReachedTheNursesPagerIsShownOnTheCallsTileAndSaid()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]);
        var call = await server.RaiseCallAsync(ward.Beds[0]);
        await station.Call(call.Id).WaitForAsync(new() { Timeout = 5_000 });
        await Assertions.Expect(station.Call(call.Id).Locator(".page-failed")).ToBeHiddenAsync();

        // The call's page has used its tries unanswered (Dispatch.Gateway's paging server never
        // answered): the server fails it and tells the ward, as PagingTests shows with a real gateway.
        await server.Hospital().QueryAsync<int>("""
            INSERT INTO pages (call_id, staff_id, level, pager, text, tries, next_try_at)
            VALUES (@callId, @staffId, 0, '4711', 'Patient call', 3, NOW(3) - INTERVAL 1 SECOND);
            SELECT 1
            """, new { callId = call.Id, staffId = ward.Nurses[0].StaffId });

        var name = (await server.Hospital().QueryAsync<string>("SELECT display_name FROM staff WHERE id = @StaffId", ward.Nurses[0])).Single();
        await Assertions.Expect(station.Call(call.Id).Locator(".page-failed")).ToHaveTextAsync(
            $"Pager not reached: {name}. Tell them, or take the call.", new() { Timeout = 5_000 });
        await Assertions.Expect(station.Page.Locator("#announcer")).ToContainTextAsync($"Pager not reached: {name}, room {call.Room} bed {call.Bed}");
        await station.Page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "board-page-failed.png") });

        await station.Page.ReloadAsync();
        await Assertions.Expect(station.Call(call.Id).Locator(".page-failed")).ToContainTextAsync(name, new() { Timeout = 5_000 });
    }

    [Fact]
    public async Task AStationScreenSaysWhichStationItIsAndTheOtherScreensOfItsWardSeeItGoDarkAndComeBack()
    {
        var ward = await server.Hospital().WardAsync(nurses: 2, beds: 1);
        var desk = await server.Hospital().StationAsync(ward.WardId, "Desk A");
        await using var other = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[1]);
        var screen = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], stationKey: desk.Key);
        await Assertions.Expect(screen.Page.Locator("#station-name")).ToHaveTextAsync("Desk A");

        await screen.DisposeAsync();
        var silent = other.SilentStation(desk.DeviceId);
        await Assertions.Expect(silent).ToContainTextAsync("“Desk A” silent since", new() { Timeout = 10_000 });

        await using var again = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], stationKey: desk.Key);
        await Assertions.Expect(silent).ToHaveCountAsync(0, new() { Timeout = 10_000 });

        await using var mistyped = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[1], stationKey: "not-a-station-key");
        await Assertions.Expect(mistyped.Page.Locator("#message")).ToHaveTextAsync("This screen is not supervised as a station: Unknown station key.");
        await Assertions.Expect(mistyped.Page.Locator("#station")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task ArabicMirrorsTheBoardRightToLeftAndABoardOfMixedPrioritiesIsPhotographed()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 4);
        foreach (var (bed, kind) in ward.Beds.Zip([CallKinds.Normal, CallKinds.CodeBlue, CallKinds.Bath, CallKinds.StaffAssist]))
        {
            await server.RaiseCallAsync(bed, kind);
        }
        // The patient of the normal call presses twice more: the same call, announced again.
        for (var press = 0; press < 2; press++)
        {
            using var again = await server.RaiseAsync(ward.Beds[0], CallKinds.Normal);
            again.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        }

        await using var english = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]);
        await Assertions.Expect(english.Calls).ToHaveCountAsync(4);
        await Assertions.Expect(english.Calls.Filter(new() { HasText = "pressed again 2×" })).ToHaveCountAsync(1);
        // Each waiting call counts down to where it goes next (90 s: a nurse of another floor).
        await Assertions.Expect(english.Calls.Filter(new() { HasText = "pressed again 2×" }).Locator(".who"))
            .ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"→ another floor in 01:[0-2]\d"));
        (await english.Calls.EvaluateAllAsync<int[]>("calls => calls.map(c => Number(c.dataset.priority))")).Should().BeInDescendingOrder();
        Directory.CreateDirectory(s_screenshots);
        await english.Page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "board.png"), FullPage = true });

        await using var arabic = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], language: "ar");
        await Assertions.Expect(arabic.Calls).ToHaveCountAsync(4);
        (await arabic.Page.EvaluateAsync<string>("document.documentElement.dir")).Should().Be("rtl");
        (await arabic.Page.EvaluateAsync<string>("document.documentElement.lang")).Should().Be("ar");
        (await arabic.Page.Locator("#calls .call").First.Locator(".kind").TextContentAsync()).Should().StartWith("إنعاش");
        var icon = await arabic.Calls.First.Locator(".icon").BoundingBoxAsync();
        var age = await arabic.Calls.First.Locator(".age").BoundingBoxAsync();
        icon!.X.Should().BeGreaterThan(age!.X, "right to left: the icon sits at the right-hand start of the row");
        await arabic.Page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "board-ar.png"), FullPage = true });
    }

    [Fact]
    public async Task AStationScreenReloadedWithoutSoundIsListedOnItsWardsOtherBoardsUntilSomeoneEnablesIt()
    {
        var ward = await server.Hospital().WardAsync(nurses: 2, beds: 0);
        var desk = await server.Hospital().StationAsync(ward.WardId, "Desk M");
        await using var screen = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], stationKey: desk.Key);
        await using var colleague = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[1]);
        var muted = colleague.Page.Locator("#silent-stations .station-muted").Filter(new() { HasText = "Desk M" });
        await Assertions.Expect(screen.Page.Locator("#station")).ToBeVisibleAsync();
        await Assertions.Expect(muted).ToHaveCountAsync(0, new() { Timeout = 2_000 });

        // Reloaded, the browser plays nothing until someone clicks on the page.
        await screen.Page.ReloadAsync();
        await Assertions.Expect(screen.Page.Locator("#enable-sound")).ToBeVisibleAsync();
        await Assertions.Expect(muted).ToContainTextAsync("cannot play sound", new() { Timeout = 10_000 });

        await screen.Page.ClickAsync("#enable-sound");
        await Assertions.Expect(muted).ToHaveCountAsync(0, new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task APatientsTabletSetUpByItsLinkCallsANurseAndCancelsTheCallWithTwoButtonsInItsLanguage()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]);
        var context = await chromium.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 768, Height = 1024 } });
        var tablet = await context.NewPageAsync();
        await tablet.GotoAsync("/bedside.html");
        await Assertions.Expect(tablet.Locator("#call-nurse")).ToBeDisabledAsync();
        await Assertions.Expect(tablet.Locator("#where")).ToContainTextAsync("not set up");

        await tablet.GotoAsync(BedsidePage.SetUpLink(ward.Beds[0]));
        await Assertions.Expect(tablet.Locator("#where")).ToHaveTextAsync("Bed 1".Replace("1", $"{ward.Beds[0].BedId}", StringComparison.Ordinal));
        (await tablet.EvaluateAsync<string>("location.href")).Should().NotContain("key=", "the key leaves the address bar once kept");
        await tablet.ClickAsync("#call-nurse");
        await Assertions.Expect(tablet.Locator("#status")).ToContainTextAsync("The nurses have been told.");
        await Assertions.Expect(station.Calls).ToHaveCountAsync(1);
        await tablet.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "bedside.png") });

        // Reloaded, and in Arabic: the panel still knows its bed and its call.
        await tablet.ReloadAsync();
        await tablet.SelectOptionAsync("#language", "ar");
        await Assertions.Expect(tablet.Locator("#call-nurse")).ToHaveTextAsync("نداء ممرضة");
        await tablet.ClickAsync("#cancel-call");
        await Assertions.Expect(tablet.Locator("#status")).ToHaveTextAsync("أُلغي نداؤك.");
        await Assertions.Expect(station.Calls).ToHaveCountAsync(0);
        await tablet.ClickAsync("#cancel-call");
        await Assertions.Expect(tablet.Locator("#status")).ToHaveTextAsync("لا يوجد نداء لك لإلغائه.");
        await context.DisposeAsync();
    }

    [Fact]
    public async Task SignInSaysWhatIsWrongInWordsAndShowsNoLinkStateBeforeAnyoneIsSignedIn()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 0);
        var otherWard = await server.Hospital().WardAsync(nurses: 1, beds: 0);
        var admin = await server.Hospital().StaffAsync(StaffUser.Admin, wardId: null);
        var context = await chromium.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await Assertions.Expect(page.Locator("#connection")).ToBeHiddenAsync();

        // An administrator has no ward of her own and names none.
        await page.FillAsync("#username", admin.Username);
        await page.FillAsync("#password", admin.Password);
        await page.ClickAsync("#sign-in button[type=submit]");
        await Assertions.Expect(page.Locator("#sign-in-message")).ToHaveTextAsync("Your account has no ward of its own: enter the ward this screen watches.");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();

        // A nurse names another ward than hers: the server's sentence, not SignalR's wrapping of it.
        await page.FillAsync("#username", ward.Nurses[0].Username);
        await page.FillAsync("#password", ward.Nurses[0].Password);
        await page.FillAsync("#ward", $"{otherWard.WardId}");
        await page.ClickAsync("#sign-in button[type=submit]");
        await Assertions.Expect(page.Locator("#sign-in-message")).ToContainTextAsync($"{otherWard.WardId}", new() { Timeout = 10_000 });
        (await page.Locator("#sign-in-message").TextContentAsync()).Should().NotContain("HubException").And.NotContain("unexpected error").And.NotContain("[not_your_ward]");

        // In Arabic the board says the refusal in Arabic, by its code; and a wrong password too.
        await page.SelectOptionAsync("#language", "ar");
        await page.FillAsync("#password", ward.Nurses[0].Password);
        await page.ClickAsync("#sign-in button[type=submit]");
        await Assertions.Expect(page.Locator("#sign-in-message")).ToHaveTextAsync("هذا الجناح ليس جناحك.", new() { Timeout = 10_000 });
        Directory.CreateDirectory(s_screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "sign-in-refused-ar.png") });
        await page.FillAsync("#password", "not the password");
        await page.ClickAsync("#sign-in button[type=submit]");
        await Assertions.Expect(page.Locator("#sign-in-message")).ToHaveTextAsync("تعذّر تسجيل الدخول: تحقّق من اسم المستخدم وكلمة المرور.");
        await context.DisposeAsync();
    }

    [Theory]
    [InlineData("desktop", 1920, 1080)]
    [InlineData("laptop", 1366, 768)]
    [InlineData("tablet", 768, 1024)]
    public async Task ThirtyOpenCallsAreEachOnScreenOrCountedBelowAndNoTilesButtonIsCutOff(string screen, int width, int height)
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 30);
        string[] kinds = [CallKinds.CodeBlue, CallKinds.StaffEmergency, CallKinds.StaffAssist, CallKinds.StaffAssist, .. Enumerable.Repeat(CallKinds.Bath, 6), .. Enumerable.Repeat(CallKinds.Normal, 20)];
        foreach (var (bed, kind) in ward.Beds.Zip(kinds))
        {
            await server.RaiseCallAsync(bed, kind);
        }
        // A room number as a ward's door says it (the test hospital's names are longer, to be unique).
        await server.Hospital().QueryAsync<int>("UPDATE rooms SET name = '204' WHERE ward_id = @WardId", ward);

        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], screen: new() { Width = width, Height = height });
        await Assertions.Expect(station.Calls).ToHaveCountAsync(30);
        await Assertions.Expect(station.Page.Locator("#count-total")).ToHaveTextAsync("30 open · 30 waiting");
        await Assertions.Expect(station.Page.Locator("#count-bands")).ToContainTextAsync("1 Code");

        // Seen as a nurse sees the screen: the tiles whose whole face is in view, and the cue's count of the rest.
        var seen = await station.Page.EvaluateAsync<int[]>("""
            () => {
              const bottom = innerHeight - document.querySelector(".board-foot").offsetHeight;
              const tiles = [...document.querySelectorAll("#calls .call")];
              const inView = tiles.filter(t => t.getBoundingClientRect().bottom <= bottom);
              const cut = inView.flatMap(t => [...t.querySelectorAll("button")]).filter(b => { const r = b.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth; });
              const cue = document.querySelector("#more-below");
              const below = cue.hidden ? 0 : Number(cue.textContent.match(/\d+/)[0]);
              return [inView.length, below, cut.length];
            }
            """);
        var (inView, countedBelow, cutButtons) = (seen[0], seen[1], seen[2]);
        Directory.CreateDirectory(s_screenshots);
        await station.Page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, $"board-30-{screen}.png") });
        Console.WriteLine($"30 open calls on a {width}×{height} {screen}: {inView} tiles in full view, {countedBelow} counted below");
        (inView + countedBelow).Should().Be(30, "every call is on screen or counted in the cue below");
        inView.Should().BeGreaterThanOrEqualTo(6, "a tile grid, not a list of a few rows");
        cutButtons.Should().Be(0, "no Acknowledge or Reject is cut off at the screen's edge");
    }

    [Fact]
    public async Task ATapOnACallsAcknowledgeWhileACodeBlueArrivesAcknowledgesTheCallTappedAndTheCodeBlueGoesFirstAfterwards()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 3);
        var older = await server.RaiseCallAsync(ward.Beds[0]);
        var tapped = await server.RaiseCallAsync(ward.Beds[1]);
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]);
        await Assertions.Expect(station.Calls).ToHaveCountAsync(2);
        var target = await station.Call(tapped.Id).Locator("button.acknowledge").BoundingBoxAsync();

        // The finger is on the second call's Acknowledge when a code blue arrives, which belongs first.
        await station.Page.Mouse.MoveAsync(target!.X + target.Width / 2, target.Y + target.Height / 2);
        await station.Page.Mouse.DownAsync();
        var codeBlue = await server.RaiseCallAsync(ward.Beds[2], CallKinds.CodeBlue);
        await station.Call(codeBlue.Id).WaitForAsync(new() { Timeout = 5_000 });
        await station.Page.Mouse.UpAsync();

        await Assertions.Expect(station.Call(tapped.Id)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("status-accepted"));
        await Assertions.Expect(station.Call(codeBlue.Id)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("status-open"));
        await Assertions.Expect(station.Call(older.Id)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("status-open"));
        // Once the finger has been off the board for the hold, the code blue takes its place at the top.
        await Assertions.Expect(station.Calls.First).ToHaveAttributeAsync("data-call-id", $"{codeBlue.Id}", new() { Timeout = 5_000 });
    }

    /// <summary>
    /// From the press to the call's row on the later of the boards, by the pages' own clock: a
    /// figure for docs/benchmarks.md, not a bound (a loaded machine may be slower).
    /// </summary>
    private static async Task<double> ShownOnBothAfterPressAsync(long callId, BedsidePage bed, params StationPage[] stations)
    {
        var arrivals = new List<double>();
        foreach (var station in stations)
        {
            arrivals.Add(await station.ArrivedAtAsync(callId));
        }
        return arrivals.Max() - await bed.PressedAtAsync();
    }

    [Fact]
    public async Task ACodeTeamMemberSeesACodeBlueOfAnotherWardAboveHerWardsCallsWithThatWardsNameUntilItIsCleared()
    {
        var home = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        var elsewhere = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        await server.Hospital().TeamAsync([home.Nurses[0]], CallKinds.CodeBlue);
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, home.Nurses[0]);
        var own = await server.RaiseCallAsync(home.Beds[0], CallKinds.Normal);
        await station.Call(own.Id).WaitForAsync(new() { Timeout = 5_000 });

        var codeBlue = await server.RaiseCallAsync(elsewhere.Beds[0], CallKinds.CodeBlue);

        var forHer = station.Page.Locator($"#for-you-calls .call[data-call-id='{codeBlue.Id}']");
        await forHer.WaitForAsync(new() { Timeout = 5_000 });
        await Assertions.Expect(station.Page.Locator("#for-you")).ToBeVisibleAsync();
        await Assertions.Expect(forHer.Locator(".where")).ToHaveTextAsync($"Ward {codeBlue.Ward} · Room {codeBlue.Room} · Bed {codeBlue.Bed}");
        (await forHer.Locator("button").CountAsync()).Should().Be(0, "a team member goes to the bed; the call is its ward's to acknowledge");
        await Assertions.Expect(station.Call(codeBlue.Id)).ToHaveCountAsync(0);
        await station.Page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "board-team-call.png"), FullPage = true });

        // A board opened later lists it from GET /api/staff/me/calls.
        await station.Page.ReloadAsync();
        await forHer.WaitForAsync(new() { Timeout = 5_000 });

        (await server.SendAsync(HttpMethod.Post, $"/api/calls/{codeBlue.Id}/cancel", deviceKey: elsewhere.Beds[0].DeviceKey)).EnsureSuccessStatusCode();

        // (Other tests' code blues on the shared database may still be listed for her: she is on a hospital-wide team.)
        await Assertions.Expect(forHer).ToHaveCountAsync(0);
        await Assertions.Expect(station.Call(own.Id)).ToHaveCountAsync(1);
    }

    [Theory]
    [InlineData(502, """{"title":"No Dispatch node answered","status":502,"code":"no_node_answered"}""")]
    [InlineData(503, """{"title":"Database unavailable","status":503,"code":"maybe_saved","detail":"The connection to the database broke while the change was being committed; it may or may not have been saved."}""")]
    public async Task ABedsidePressWhoseAnswerWasLostIsSentAgainWithItsKeyAndRaisesOneCall(int status, string problem)
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        await using var bed = await BedsidePage.OpenAsync(chromium.Browser, server.BaseAddress, ward.Beds[0]);
        var keys = new List<string>();
        await bed.Page.RouteAsync("**/api/calls", async route =>
        {
            keys.Add(route.Request.Headers["idempotency-key"]);
            var answer = await route.FetchAsync();
            // The first time, the server raises the call but its answer is lost: nginx's 502 (the
            // node stopped), or the node's 503 maybe_saved (its connection to MariaDB broke during the commit).
            await route.FulfillAsync(keys.Count == 1
                ? new() { Status = status, ContentType = "application/problem+json", Body = problem }
                : new() { Response = answer });
        });

        var callId = await bed.RaiseAsync(CallKinds.Normal);

        keys.Should().HaveCount(2).And.OnlyContain(key => key == keys[0], "the press was sent again with its own key");
        (await server.Hospital().CallIdsAsync(ward.WardId)).Should().Equal([callId], "one press, one call");
        (await server.Hospital().QueryAsync<int>("SELECT repeat_count FROM calls WHERE id = @callId", new { callId })).Should().Equal(0);
    }

    [Fact]
    public async Task ASilencedBoardStillSoundsACodeBlueAndItsRoutineTonesComeBackWhenTheSilenceEnds()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 3);
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], beforeSignIn: async page =>
        {
            await page.Clock.InstallAsync();
            await page.AddInitScriptAsync(ToneRecorder);
        });
        var silence = station.Page.Locator("#mute");
        await Assertions.Expect(silence).ToHaveTextAsync("Silence routine tones for 2 min");

        await silence.ClickAsync();

        await Assertions.Expect(silence).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(silence).ToContainTextAsync("Routine tones silenced until");
        var routine = await server.RaiseCallAsync(ward.Beds[0], CallKinds.Normal);
        await station.Call(routine.Id).WaitForAsync(new() { Timeout = 5_000 });
        var codeBlue = await server.RaiseCallAsync(ward.Beds[1], CallKinds.CodeBlue);
        await station.Call(codeBlue.Id).WaitForAsync(new() { Timeout = 5_000 });
        (await TonesAsync(station)).Should().Contain(880, "a code blue sounds through the silence").And.NotContain(520, "the patient call stayed silent");

        // Two minutes on, the silence has ended by itself: the button says so, and a patient call sounds.
        await station.Page.Clock.SetSystemTimeAsync(DateTime.UtcNow.AddMinutes(2).AddSeconds(5));
        await Assertions.Expect(silence).ToHaveAttributeAsync("aria-pressed", "false", new() { Timeout = 5_000 });
        await Assertions.Expect(silence).ToHaveTextAsync("Silence routine tones for 2 min");
        var later = await server.RaiseCallAsync(ward.Beds[2], CallKinds.Normal);
        await station.Call(later.Id).WaitForAsync(new() { Timeout = 5_000 });
        (await TonesAsync(station)).Should().Contain(520, "routine tones are back");
    }

    /// <summary>Notes every tone's pitch as the board starts it (code blue 880 Hz, a patient call 520 Hz, no link 392 Hz).</summary>
    private const string ToneRecorder = """
        window.tones = [];
        const create = AudioContext.prototype.createOscillator;
        AudioContext.prototype.createOscillator = function () {
          const oscillator = create.call(this);
          const start = oscillator.start.bind(oscillator);
          oscillator.start = (...args) => { window.tones.push(oscillator.frequency.value); return start(...args); };
          return oscillator;
        };
        """;

    private static Task<double[]> TonesAsync(StationPage station) => station.Page.EvaluateAsync<double[]>("() => window.tones");

    [Fact]
    public async Task ABoardReloadedWhileNoNodeAnswersSaysItIsNotReceivingCallsNotThatSignInFailedAndStartsByItselfWhenOneDoes()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        var call = await server.RaiseCallAsync(ward.Beds[0]);
        var networkDown = 0;
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], beforeSignIn: page =>
            page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hubs/dispatch"), ws =>
            {
                if (Volatile.Read(ref networkDown) == 1)
                {
                    _ = ws.CloseAsync(new() { Code = 1011, Reason = "no node answers" });
                    return;
                }
                ws.ConnectToServer();
            }));

        // The screen is reloaded (a power blip, a browser restart) while no node can be reached.
        Volatile.Write(ref networkDown, 1);
        await station.Page.ReloadAsync();

        await Assertions.Expect(station.Page.Locator("#offline")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(station.Page.Locator("#sign-in")).ToBeHiddenAsync();
        await Assertions.Expect(station.Page.Locator(".connection.disconnected")).ToBeVisibleAsync();
        await station.Page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "board-started-without-server.png") });

        Volatile.Write(ref networkDown, 0);
        await Assertions.Expect(station.Call(call.Id)).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(station.Page.Locator(".connection.connected")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Connected · reconnected at "));
        await Assertions.Expect(station.Page.Locator("#offline")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task WhenTheLinkIsLostTheBoardSaysNotReceivingCallsAndSoundsWithinFiveSecondsAndClearsWhenItIsBack()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        var call = await server.RaiseCallAsync(ward.Beds[0]);
        var networkDown = 0;
        var links = new System.Collections.Concurrent.ConcurrentQueue<IWebSocketRoute>();
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], beforeSignIn: async page =>
        {
            await page.AddInitScriptAsync(ToneRecorder);
            // The board's WebSockets pass through the test, which can cut them and refuse new ones.
            await page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hubs/dispatch"), ws =>
            {
                if (Volatile.Read(ref networkDown) == 1)
                {
                    _ = ws.CloseAsync(new() { Code = 1011, Reason = "network down" });
                    return;
                }
                ws.ConnectToServer();
                links.Enqueue(ws);
            });
        });
        await station.Call(call.Id).WaitForAsync(new() { Timeout = 5_000 });
        var overlay = station.Page.Locator("#offline");
        await Assertions.Expect(overlay).ToBeHiddenAsync();

        Volatile.Write(ref networkDown, 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var link in links)
        {
            await link.CloseAsync(new() { Code = 1011, Reason = "network down" });
        }

        // Before the screen goes dark, a command is refused with a sentence, and nothing is sent.
        await station.Page.Locator(".connection.reconnecting").WaitForAsync(new() { Timeout = 5_000 });
        await station.TapAsync(call.Id, "acknowledge");
        await Assertions.Expect(station.Page.Locator("#message")).ToHaveTextAsync("Not connected: nothing was sent. Try again when the board is back.");
        await Assertions.Expect(overlay).ToBeVisibleAsync(new() { Timeout = 5_000 });
        var shownAfter = clock.Elapsed;
        await Assertions.Expect(overlay).ToContainTextAsync("Not receiving calls");
        (await TonesAsync(station)).Should().Contain(392, "the lost link has its own tone");
        await station.Page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "board-offline.png") });
        (await server.Hospital().QueryAsync<string>("SELECT status FROM calls WHERE id = @Id", call)).Should().Equal("open");

        Volatile.Write(ref networkDown, 0);

        await Assertions.Expect(station.Page.Locator(".connection.connected")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(overlay).ToBeHiddenAsync();
        await Assertions.Expect(station.Page.Locator("#message")).ToHaveTextAsync("");
        Console.WriteLine($"The board showed 'Not receiving calls' {shownAfter.TotalMilliseconds:F0} ms after its link was cut");
    }

    [Fact]
    public async Task RejectAsksOnceSayingWhereTheCallGoesAndKeepingItLeavesTheCallWhereItWas()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        await server.Hospital().AssignBedAsync(ward.Beds[0], ward.Nurses[0], isPrimary: true);
        var call = await server.RaiseCallAsync(ward.Beds[0]);
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]);
        var dialog = station.Page.Locator("#reject-dialog");

        await station.TapAsync(call.Id, "reject");

        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog).ToContainTextAsync($"Reject the Patient call of room {call.Room}, bed {call.Bed}?");
        await Assertions.Expect(dialog).ToContainTextAsync("It goes at once to a nurse of another floor.");
        await station.Page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, "board-reject.png") });
        await station.Page.ClickAsync("#keep-call");
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        (await server.Hospital().QueryAsync<(string, int)>("SELECT status, escalation_level FROM calls WHERE id = @Id", call))
            .Should().Equal([("open", 0)], "kept: nothing was sent");

        await station.TapAsync(call.Id, "reject");
        await station.Page.ClickAsync("#confirm-reject");

        await Assertions.Expect(station.Call(call.Id).Locator(".who")).ToContainTextAsync("Escalation level 1", new() { Timeout = 5_000 });
    }

    [Fact]
    public async Task ANurseOffDutyGoesOnDutyFromTheBoardAndIsAssignedTheNextCall()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 3, allOnDuty: false);
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]);
        var duty = station.Page.Locator("#duty");
        await Assertions.Expect(duty).ToHaveTextAsync("Off duty: no calls assigned to you");
        await Assertions.Expect(duty).ToHaveAttributeAsync("aria-pressed", "false");
        (await server.RaiseCallAsync(ward.Beds[0])).AssignedStaffId.Should().BeNull("nobody of the ward is on duty");

        await duty.ClickAsync();

        await Assertions.Expect(duty).ToHaveTextAsync("On duty");
        await Assertions.Expect(duty).ToHaveAttributeAsync("aria-pressed", "true");
        (await server.RaiseCallAsync(ward.Beds[1])).AssignedStaffId.Should().Be(ward.Nurses[0].StaffId, "she is the ward's only nurse on duty now");
        await using (var elsewhere = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0]))
        {
            await Assertions.Expect(elsewhere.Page.Locator("#duty")).ToHaveTextAsync("On duty", new() { Timeout = 1_000 });
        }

        await duty.ClickAsync();

        await Assertions.Expect(duty).ToHaveTextAsync("Off duty: no calls assigned to you");
        (await server.RaiseCallAsync(ward.Beds[2])).AssignedStaffId.Should().BeNull("she went off duty again");
    }

    [Fact]
    public async Task ANurseChangesHerPasswordOnTheBoardAndTheServersReasonIsShownWhenItIsRefused()
    {
        var nurse = (await server.Hospital().WardAsync(nurses: 1, beds: 0)).Nurses[0];
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, nurse);
        var page = station.Page;
        var message = page.Locator("#password-message");

        await page.ClickAsync("#change-password");
        await page.FillAsync("#current-password", nurse.Password);
        await page.FillAsync("#new-password", "her new password 1");
        await page.FillAsync("#repeat-password", "her new password 2");
        await page.ClickAsync("#save-password");
        await Assertions.Expect(message).ToHaveTextAsync("The two new passwords differ.");

        await page.FillAsync("#current-password", "not her password");
        await page.FillAsync("#repeat-password", "her new password 1");
        await page.ClickAsync("#save-password");
        await Assertions.Expect(message).ToHaveTextAsync("The current password is wrong; nothing was changed.");

        await page.FillAsync("#current-password", nurse.Password);
        await page.FillAsync("#new-password", "her new password 1");
        await page.FillAsync("#repeat-password", "her new password 1");
        await page.ClickAsync("#save-password");
        await Assertions.Expect(message).ToHaveTextAsync("Password changed. Your other sessions have ended.");

        (await server.SendAsync(HttpMethod.Post, "/api/sessions", body: new LoginRequest(nurse.Username, "her new password 1")))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await server.SendAsync(HttpMethod.Post, "/api/sessions", body: new LoginRequest(nurse.Username, nurse.Password)))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await page.ClickAsync("#close-password");
        await Assertions.Expect(page.Locator(".connection.connected")).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData("Subscribe")]
    [InlineData("IdentifyStation")]
    public async Task ALinkLostBeforeTheServerAnswersTheBoardsFirstRequestIsWaitedOutAndTheScreenStillLoads(string cutRequest)
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        var desk = await server.Hospital().StationAsync(ward.WardId, "Desk A");
        var call = await server.RaiseCallAsync(ward.Beds[0]);
        var cut = 0;

        // The page's first such request never reaches the server: its WebSocket is closed instead,
        // as when a node dies just then. Every later frame and connection passes through.
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, ward.Nurses[0], stationKey: desk.Key,
            beforeSignIn: page => page.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/hubs/dispatch"), ws =>
            {
                var toServer = ws.ConnectToServer();
                ws.OnMessage(frame =>
                {
                    if (frame.Text?.Contains($"\"target\":\"{cutRequest}\"", StringComparison.Ordinal) == true && Interlocked.Exchange(ref cut, 1) == 0)
                    {
                        _ = ws.CloseAsync(new() { Code = 1011, Reason = "cut by the test" });
                        return;
                    }
                    toServer.Send(frame.Text!);
                });
            }));

        await Assertions.Expect(station.Call(call.Id)).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(station.Page.Locator("#station-name")).ToHaveTextAsync("Desk A", new() { Timeout = 15_000 });
        cut.Should().Be(1, $"the first {cutRequest} was cut off");
        await Assertions.Expect(station.Page.Locator("#sign-in")).ToBeHiddenAsync();
        await Assertions.Expect(station.Page.Locator(".connection.connected")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Connected · reconnected at "));
        (await server.Hospital().StationLastSeenAsync(desk.DeviceId)).Should().NotBeNull("the screen identified itself once the link was back");
    }

    [Fact]
    public async Task ARevokedSessionSendsTheStationToSignInWithTheReason()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 1);
        var nurse = ward.Nurses[0];
        await using var station = await StationPage.SignInAsync(chromium.Browser, server.BaseAddress, nurse);
        var admin = await server.LoginAsync(await server.Hospital().StaffAsync(StaffUser.Admin, wardId: null));

        (await server.SendAsync(HttpMethod.Post, $"/api/staff/{nurse.StaffId}/sessions/revoke", admin)).StatusCode.Should().Be(HttpStatusCode.OK);

        await station.Page.Locator("#sign-in").WaitForAsync(new() { Timeout = 5_000 });
        (await station.Page.Locator("#sign-in-message").TextContentAsync()).Should().Contain("Sign in again");
        (await station.Page.Locator("#board").IsHiddenAsync()).Should().BeTrue();
    }
}

[Collection(BrowserCollection.Name)]
public sealed class OpsPageTests(DispatchFixture server, ChromiumFixture chromium)
{
    [Fact]
    public async Task TheOpsPageTurnsRedWithTheTimeOfItsLastGoodAnswerWhenTwoRefreshesInARowFailAndClearsWhenAnswersComeBack()
    {
        var admin = await server.Hospital().StaffAsync(StaffUser.Admin, wardId: null);
        var context = await chromium.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 720 } });
        try
        {
            var page = await context.NewPageAsync();
            await page.Clock.InstallAsync();
            await page.GotoAsync("/ops.html");
            await page.FillAsync("#username", admin.Username);
            await page.FillAsync("#password", admin.Password);
            await page.ClickAsync("#sign-in button[type=submit]");
            await Assertions.Expect(page.Locator("#updated")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^updated "));
            var stale = page.Locator("#stale");
            await Assertions.Expect(stale).ToBeHiddenAsync();

            // The server goes away: from now on no summary is answered. Two refreshes (every 5 s) later:
            await page.RouteAsync("**/api/ops/summary", route => route.AbortAsync());
            await page.Clock.RunForAsync(10_500);

            await Assertions.Expect(stale).ToBeVisibleAsync();
            await Assertions.Expect(stale).ToContainTextAsync("No answer from the server since");
            await Assertions.Expect(page.Locator("body")).ToHaveClassAsync("stale");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Repository.Root, "docs", "screenshots", "ops-stale.png") });

            await page.UnrouteAsync("**/api/ops/summary");
            await page.Clock.RunForAsync(5_000);

            await Assertions.Expect(stale).ToBeHiddenAsync();
            await Assertions.Expect(page.Locator("#updated")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^updated "));
        }
        finally
        {
            await context.DisposeAsync();
        }
    }

    [Fact]
    public async Task AnAdministratorSeesTheNodeEachWardsOpenCallsAndTheKpisOnTheOpsPage()
    {
        var ward = await server.Hospital().WardAsync(nurses: 1, beds: 3);
        // A station screen last seen five minutes ago: the server reports it within a second.
        var dark = await server.Hospital().StationAsync(ward.WardId, "Desk C", lastSeenSecondsAgo: 300);
        // A line of the primary nurse-call system last heard ten minutes ago: reported likewise.
        var lineName = $"ESPA {Guid.NewGuid():N}"[..13];
        await server.Hospital().QueryAsync<int>("""
            INSERT INTO devices (kind, name, key_hash, last_heartbeat_at) VALUES ('line', @lineName, @hash, NOW(3) - INTERVAL 600 SECOND);
            SELECT 1
            """, new { lineName, hash = Secrets.Hash(Secrets.NewToken()) });
        var admin = await server.Hospital().StaffAsync(StaffUser.Admin, wardId: null);
        var context = await chromium.Browser.NewContextAsync(new() { BaseURL = server.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 720 } });
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/ops.html");
            await page.FillAsync("#username", admin.Username);
            await page.FillAsync("#password", admin.Password);
            await page.ClickAsync("#sign-in button[type=submit]");
            // The page listens before the ward has calls: an alarm is shown from when the page opened.
            await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("Alarms arrive live.", new() { Timeout = 10_000 });
            foreach (var bed in ward.Beds)
            {
                await server.RaiseCallAsync(bed);
            }

            await Assertions.Expect(page.Locator("#updated")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^updated "));
            await Assertions.Expect(page.Locator("#nodes tbody tr").First).ToContainTextAsync("serving");
            var wardRow = page.Locator("#wards tbody tr").Filter(new() { HasText = ward.WardId.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " });
            await Assertions.Expect(wardRow.Locator("td").Nth(2)).ToHaveTextAsync("1", new() { Timeout = 10_000 });
            await Assertions.Expect(wardRow.Locator("td").Nth(3)).ToHaveTextAsync("3");
            await Assertions.Expect(wardRow.Locator("td").Nth(4)).ToHaveTextAsync("3");
            // No station watches the ward: the alarm arrives live over the hub, with its runbook, and
            // the ward is marked critical, in words, among the first rows.
            var wardName = (await server.Hospital().QueryAsync<string>("SELECT name FROM wards WHERE id = @WardId", ward))[0];
            var alarm = page.Locator("#alarms .alarm").Filter(new() { HasText = $"Ward {wardName} has " });
            await Assertions.Expect(alarm).ToHaveCountAsync(1, new() { Timeout = 10_000 });
            await Assertions.Expect(wardRow).ToHaveClassAsync("risk-critical");
            await Assertions.Expect(wardRow.Locator("td").Nth(1)).ToContainTextAsync("no station watching");
            await Assertions.Expect(page.Locator("#wards tbody tr").First).ToHaveClassAsync("risk-critical");
            var runbook = await page.APIRequest.GetAsync(await alarm.Locator("a").GetAttributeAsync("href") ?? "");
            (await runbook.TextAsync()).Should().StartWith("# Runbook");
            var maintenance = page.Locator("#troubles tbody tr").Filter(new() { HasText = "station Desk C" });
            await Assertions.Expect(maintenance.Locator("td").Nth(1)).ToHaveTextAsync($"{dark.WardId}", new() { Timeout = 12_000 });
            await Assertions.Expect(maintenance.Locator("td").Nth(3)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^5 min"));
            var silentLine = page.Locator("#troubles tbody tr").Filter(new() { HasText = $"nurse-call line {lineName}" });
            await Assertions.Expect(silentLine.Locator("td").Nth(2)).ToHaveTextAsync("not heard: its calls do not reach Dispatch", new() { Timeout = 12_000 });
            await Assertions.Expect(silentLine.Locator("td").Nth(3)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^10 min"));
            await page.ScreenshotAsync(new() { Path = Path.Combine(Repository.Root, "docs", "screenshots", "ops.png"), FullPage = true });

            // The KPIs are read every 30 s; a reload reads them now, with the calls raised above.
            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("#kpis tr[data-kpi='escalation_rate'] td").Nth(1)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+(\.\d)? % \(\d+\)$"));
            await Assertions.Expect(page.Locator("#kpis tr[data-kpi='acknowledgement_time'] td").Nth(2)).ToHaveTextAsync("60 s");
        }
        finally
        {
            await context.DisposeAsync();
        }
    }
}
