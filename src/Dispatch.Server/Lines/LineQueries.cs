namespace Dispatch.Server.Lines;

internal static class LineQueries
{
    public const string FindLine = "SELECT id AS Id, name AS Name FROM devices WHERE key_hash = @KeyHash AND kind = 'line'";

    public const string FindAddress = "SELECT bed_id AS BedId, kind AS Kind FROM line_addresses WHERE line_id = @LineId AND address = @Address";

    public const string Texts = "SELECT contains AS Contains, kind AS Kind FROM line_texts WHERE line_id = @LineId ORDER BY position";

    public const string OpenCallsOfBed = """
        SELECT id FROM calls WHERE bed_id = @BedId AND kind IN @Kinds AND status IN ('open', 'accepted') ORDER BY id
        """;
}
