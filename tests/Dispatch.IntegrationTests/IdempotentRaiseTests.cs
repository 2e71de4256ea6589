using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>A bed device that got no clear answer sends its press again with the same Idempotency-Key: the same call, nothing more.</summary>
[Collection(DispatchCollection.Name)]
public sealed class IdempotentRaiseTests(DispatchFixture fixture)
{
    [Fact]
    public async Task ARaiseSentAgainWithItsIdempotencyKeyReturnsTheCallItRaisedAndChangesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var key = Guid.NewGuid().ToString();
        using var first = await fixture.RaiseAsync(ward.Beds[0], CallKinds.StaffAssist, key);
        first.StatusCode.Should().Be(HttpStatusCode.Created);
        var call = (await first.Content.ReadFromJsonAsync<CallView>())!;
        var after = await fixture.FootprintAsync(ward.WardId);

        using var again = await fixture.RaiseAsync(ward.Beds[0], CallKinds.StaffAssist, key);

        again.StatusCode.Should().Be(HttpStatusCode.OK);
        var same = (await again.Content.ReadFromJsonAsync<CallView>())!;
        same.Id.Should().Be(call.Id);
        same.RepeatCount.Should().Be(0, "the same press is not counted twice");
        (await fixture.FootprintAsync(ward.WardId)).Should().Be(after, "no event, no audit row, no second call");

        // A new press (a new key) while the call is open is announced again, as without keys.
        using var nextPress = await fixture.RaiseAsync(ward.Beds[0], CallKinds.StaffAssist, Guid.NewGuid().ToString());
        nextPress.StatusCode.Should().Be(HttpStatusCode.OK);
        (await nextPress.Content.ReadFromJsonAsync<CallView>())!.RepeatCount.Should().Be(1);
    }

    [Theory]
    [InlineData("a key with spaces", HttpStatusCode.BadRequest, "'Idempotency-Key' must be 1 to 64 letters")]
    [InlineData("used-for-a-normal-call", HttpStatusCode.Conflict, "raised a 'normal' call at this bed; a new press needs a new key")]
    public async Task AKeyThatIsMalformedOrAlreadyRaisedAnotherKindIsRefusedWithNothingSaved(string key, HttpStatusCode status, string sentence)
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        (await fixture.RaiseAsync(ward.Beds[0], CallKinds.Normal, "used-for-a-normal-call")).StatusCode.Should().Be(HttpStatusCode.Created);
        var before = await fixture.FootprintAsync(ward.WardId);

        using var response = await fixture.RaiseAsync(ward.Beds[0], CallKinds.CodeBlue, key);

        response.StatusCode.Should().Be(status);
        (await response.Content.ReadAsStringAsync()).Should().Contain(sentence);
        (await fixture.FootprintAsync(ward.WardId)).Should().Be(before);
    }
}
