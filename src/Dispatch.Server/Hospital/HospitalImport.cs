using System.Globalization;
using System.Text;
using Dapper;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Devices;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Hospital;

/// <summary>What an import did (a sentence for the operator and the audit log), or why it changed nothing.</summary>
public sealed record ImportResult(IReadOnlyList<string> Problems, string Summary)
{
    public static ImportResult Refused(params IReadOnlyList<string> problems) => new(problems, "nothing");

    public bool Succeeded => Problems.Count == 0;
}

/// <summary>
/// Brings the database in line with a hospital file, in one transaction: what has a name that is
/// not there yet is added, what is there is updated (a ward's department and floor, a staff
/// member's name, role and ward, a team's members and kinds, which the file replaces). Nothing
/// else is deleted: retiring a device has its own endpoint, and beds and staff keep their history.
/// New beds get a call-button device and new stations and staff their secrets, written once to a
/// new file (mode 0600); only their hashes are kept. A file with any problem changes nothing.
/// </summary>
public sealed class HospitalImport(MySqlDataSource dataSource)
{
    /// <summary>An existing row: its id, its name and, for rooms, beds and stations, what it belongs to.</summary>
    private sealed class Named
    {
        public int Id { get; init; }
        public string Name { get; init; } = "";
        public int ParentId { get; init; }
    }

    public async Task<ImportResult> RunAsync(HospitalFile file, string secretsPath, CancellationToken ct)
    {
        if (HospitalFileReader.Problems(file) is { Count: > 0 } problems)
        {
            return ImportResult.Refused(problems);
        }
        if (File.Exists(secretsPath))
        {
            return ImportResult.Refused($"{secretsPath} exists already (it may hold secrets not handed out yet); name a new file.");
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition(HospitalQueries.Lock, cancellationToken: ct)) != 1)
        {
            return ImportResult.Refused("Another hospital import is running; try again when it has finished.");
        }
        try
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            var run = new ImportRun(tx, ct);
            await run.LoadAsync();
            if (run.UnknownNames(file) is { Count: > 0 } unknown)
            {
                return ImportResult.Refused(unknown);
            }
            await run.ApplyAsync(file);
            if (run.Problems.Count > 0)
            {
                return ImportResult.Refused(run.Problems);
            }
            await AuditLog.AppendAsync(tx, AuditLog.System, null, "hospital_imported", null, run.Summary, ct);
            await WriteSecretsAsync(secretsPath, run.SecretsFileText, ct);
            try
            {
                await tx.CommitAsync(ct);
            }
            catch
            {
                File.Delete(secretsPath);
                throw;
            }
            return new ImportResult([], run.Summary);
        }
        finally
        {
            await conn.ExecuteAsync(new CommandDefinition(HospitalQueries.Unlock, cancellationToken: CancellationToken.None));
        }
    }

    private static async Task WriteSecretsAsync(string path, string secrets, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using var stream = new FileStream(path, options);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(secrets), ct);
    }

    /// <summary>One import inside its transaction: the rows that exist, keyed by name, and what it did.</summary>
    private sealed class ImportRun(MySqlTransaction tx, CancellationToken ct)
    {
        private static readonly StringComparer s_names = StringComparer.OrdinalIgnoreCase;
        private readonly Dictionary<string, int> _floors = new(s_names);
        private readonly Dictionary<string, int> _wards = new(s_names);
        private readonly Dictionary<(int, string), int> _rooms = new(new ParentAndName());
        private readonly Dictionary<(int, string), int> _beds = new(new ParentAndName());
        private readonly Dictionary<(int, string), int> _stations = new(new ParentAndName());
        private readonly Dictionary<string, int> _staff = new(s_names);
        private readonly Dictionary<string, int> _teams = new(s_names);
        private readonly Dictionary<string, int> _lines = new(s_names);
        private readonly StringBuilder _secrets = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"# Dispatch hospital import, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: the secrets of what it added.")
            .AppendLine("# Hand each to its owner or type it into its device, then delete this file; only hashes are stored.")
            .AppendLine("# kind\tid\tname\tsecret");

        private readonly Dictionary<string, (int Added, int Updated)> _counts = new()
        {
            ["floors"] = (0, 0), ["wards"] = (0, 0), ["rooms"] = (0, 0), ["beds"] = (0, 0), ["stations"] = (0, 0), ["staff"] = (0, 0), ["teams"] = (0, 0), ["lines"] = (0, 0),
        };

        /// <summary>What the file names that is neither in it nor in the database, found while applying it (the import is then not committed).</summary>
        public List<string> Problems { get; } = [];

        public string SecretsFileText => _secrets.ToString();

        public async Task LoadAsync()
        {
            foreach (var row in await QueryAsync(HospitalQueries.Floors)) _floors[row.Name] = row.Id;
            foreach (var row in await QueryAsync(HospitalQueries.Wards)) _wards[row.Name] = row.Id;
            foreach (var row in await QueryAsync(HospitalQueries.Rooms)) _rooms[(row.ParentId, row.Name)] = row.Id;
            foreach (var row in await QueryAsync(HospitalQueries.Beds)) _beds[(row.ParentId, row.Name)] = row.Id;
            foreach (var row in await QueryAsync(HospitalQueries.Stations)) _stations[(row.ParentId, row.Name)] = row.Id;
            foreach (var row in await QueryAsync(HospitalQueries.Staff)) _staff[row.Name] = row.Id;
            foreach (var row in await QueryAsync(HospitalQueries.Teams)) _teams[row.Name] = row.Id;
            foreach (var row in await QueryAsync(HospitalQueries.Lines)) _lines[row.Name] = row.Id;
        }

        /// <summary>
        /// A first password and its hash for each staff member the file adds, hashed on every core
        /// before anything is written: a password hash is slow by design (about 0.3 s), so a
        /// hospital of 2,000 staff would otherwise hold the import's transaction for ten minutes.
        /// </summary>
        private Dictionary<string, (string Password, string Hash)> NewStaffPasswords(HospitalFile file)
        {
            var added = (file.Staff ?? []).Select(person => person.Username!.Trim()).Where(username => !_staff.ContainsKey(username)).Distinct(s_names).ToList();
            var passwords = new (string Password, string Hash)[added.Count];
            Parallel.For(0, added.Count, i =>
            {
                var password = Sessions.Secrets.NewToken()[..16];
                passwords[i] = (password, PasswordHasher.Hash(password));
            });
            return added.Select((username, i) => (username, passwords[i])).ToDictionary(x => x.username, x => x.Item2, s_names);
        }

        /// <summary>Staff whose ward, and team members who are, neither in the file nor in the database.</summary>
        public IReadOnlyList<string> UnknownNames(HospitalFile file)
        {
            var wards = new HashSet<string>(_wards.Keys, s_names);
            wards.UnionWith((file.Floors ?? []).SelectMany(f => f.Wards ?? []).Select(w => w.Name!.Trim()));
            var usernames = new HashSet<string>(_staff.Keys, s_names);
            usernames.UnionWith((file.Staff ?? []).Select(person => person.Username!.Trim()));
            return [
                .. (file.Staff ?? []).Select((person, p) => (person, p))
                    .Where(x => !string.IsNullOrWhiteSpace(x.person.Ward) && !wards.Contains(x.person.Ward.Trim()))
                    .Select(x => $"staff[{x.p}].ward: there is no ward '{x.person.Ward!.Trim()}' in the file or the database."),
                .. (file.Teams ?? []).SelectMany((team, t) => (team.Members ?? []).Select((member, m) => (member.Trim(), $"teams[{t}].members[{m}]")))
                    .Where(x => !usernames.Contains(x.Item1))
                    .Select(x => $"{x.Item2}: there is no staff member '{x.Item1}' in the file or the database."),
            ];
        }

        public async Task ApplyAsync(HospitalFile file)
        {
            var newStaff = NewStaffPasswords(file);
            foreach (var floor in file.Floors ?? [])
            {
                var floorId = await UpsertAsync("floors", _floors, floor.Name!.Trim(), HospitalQueries.InsertFloor, HospitalQueries.UpdateFloor,
                    new { Name = floor.Name.Trim(), floor.Level });
                foreach (var ward in floor.Wards ?? [])
                {
                    var wardName = ward.Name!.Trim();
                    var wardId = await UpsertAsync("wards", _wards, wardName, HospitalQueries.InsertWard, HospitalQueries.UpdateWard,
                        new { Name = wardName, Department = ward.Department!.Trim(), FloorId = floorId });
                    foreach (var room in ward.Rooms ?? [])
                    {
                        var roomName = room.Name!.Trim();
                        var roomId = await AddOnceAsync("rooms", _rooms, (wardId, roomName), HospitalQueries.InsertRoom, new { WardId = wardId, Name = roomName });
                        foreach (var label in (room.Beds ?? []).Select(b => b.Trim()))
                        {
                            if (!_beds.ContainsKey((roomId, label)))
                            {
                                var bedId = await InsertAsync(HospitalQueries.InsertBed, new { RoomId = roomId, Label = label });
                                _beds[(roomId, label)] = bedId;
                                Count("beds", added: true);
                                await AddDeviceAsync(DeviceRegistry.Bed, $"bed {roomName}{label}", bedId, null, $"{wardName} / {roomName} / {label}");
                            }
                        }
                    }
                    foreach (var station in (ward.Stations ?? []).Select(s => s.Trim()))
                    {
                        if (!_stations.ContainsKey((wardId, station)))
                        {
                            var deviceId = await AddDeviceAsync(DeviceRegistry.Station, station, null, wardId, $"{wardName} / {station}");
                            _stations[(wardId, station)] = deviceId;
                            Count("stations", added: true);
                        }
                    }
                }
            }

            foreach (var person in file.Staff ?? [])
            {
                var username = person.Username!.Trim();
                var wardId = string.IsNullOrWhiteSpace(person.Ward) ? (int?)null : _wards[person.Ward.Trim()];
                var displayName = person.Name!.Trim();
                if (_staff.TryGetValue(username, out var staffId))
                {
                    await ExecuteAsync(HospitalQueries.UpdateStaff, new { DisplayName = displayName, person.Role, WardId = wardId, Pager = person.Pager?.Trim(), Id = staffId });
                    Count("staff", added: false);
                    continue;
                }
                var (password, passwordHash) = newStaff[username];
                staffId = await InsertAsync(HospitalQueries.InsertStaff,
                    new { Username = username, DisplayName = displayName, person.Role, WardId = wardId, Pager = person.Pager?.Trim(), PasswordHash = passwordHash });
                _staff[username] = staffId;
                Count("staff", added: true);
                Secret("password", staffId, username, password);
            }

            foreach (var team in file.Teams ?? [])
            {
                var name = team.Name!.Trim();
                var teamId = await UpsertAsync("teams", _teams, name, HospitalQueries.InsertTeam, HospitalQueries.UpdateTeam, new { Name = name });
                // The file says who is on the team now: members and kinds are replaced, not added to.
                await ExecuteAsync(HospitalQueries.ClearTeam, new { TeamId = teamId });
                foreach (var member in team.Members!)
                {
                    await ExecuteAsync(HospitalQueries.InsertTeamMember, new { TeamId = teamId, StaffId = _staff[member.Trim()] });
                }
                foreach (var kind in team.Kinds!)
                {
                    await ExecuteAsync(HospitalQueries.InsertTeamKind, new { TeamId = teamId, Kind = kind });
                }
            }

            foreach (var (line, l) in (file.Lines ?? []).Select((line, l) => (line, l)))
            {
                await ApplyLineAsync(line, $"lines[{l}]");
            }
        }

        /// <summary>A line is a device with a key (for Dispatch.Gateway); the file says what its addresses and texts are now.</summary>
        private async Task ApplyLineAsync(LineEntry line, string at)
        {
            var name = line.Name!.Trim();
            if (_lines.TryGetValue(name, out var lineId))
            {
                Count("lines", added: false);
            }
            else
            {
                lineId = await AddDeviceAsync(DeviceRegistry.Line, name, null, null, name);
                _lines[name] = lineId;
                Count("lines", added: true);
            }
            await ExecuteAsync(HospitalQueries.ClearLine, new { LineId = lineId });
            foreach (var (entry, a) in (line.Addresses ?? []).Select((entry, a) => (entry, a)))
            {
                if (FindBed(entry.Ward!.Trim(), entry.Room!.Trim(), entry.Bed!.Trim()) is not { } bedId)
                {
                    Problems.Add($"{at}.addresses[{a}]: there is no bed '{entry.Bed!.Trim()}' in room '{entry.Room!.Trim()}' of ward '{entry.Ward!.Trim()}' in the file or the database.");
                    continue;
                }
                await ExecuteAsync(HospitalQueries.InsertLineAddress, new { LineId = lineId, Address = entry.Address!.Trim(), BedId = bedId, entry.Kind });
            }
            foreach (var (text, position) in (line.Texts ?? []).Select((text, t) => (text, t)))
            {
                await ExecuteAsync(HospitalQueries.InsertLineText,
                    new { LineId = lineId, Position = position, Contains = text.Contains!.Trim(), Kind = text.Cancel == true ? null : text.Kind });
            }
        }

        private int? FindBed(string ward, string room, string bed) =>
            _wards.TryGetValue(ward, out var wardId) && _rooms.TryGetValue((wardId, room), out var roomId) && _beds.TryGetValue((roomId, bed), out var bedId)
                ? bedId
                : null;

        public string Summary => string.Join(", ", _counts.Select(c => $"{c.Key} {c.Value.Added} added, {c.Value.Updated} updated"));

        private async Task<int> UpsertAsync(string kind, Dictionary<string, int> existing, string name, string insert, string update, object args)
        {
            if (existing.TryGetValue(name, out var id))
            {
                var parameters = new DynamicParameters(args);
                parameters.Add("Id", id);
                await ExecuteAsync(update, parameters);
                Count(kind, added: false);
                return id;
            }
            id = await InsertAsync(insert, args);
            existing[name] = id;
            Count(kind, added: true);
            return id;
        }

        private async Task<int> AddOnceAsync(string kind, Dictionary<(int, string), int> existing, (int ParentId, string Name) key, string insert, object args)
        {
            if (existing.TryGetValue(key, out var id))
            {
                return id;
            }
            id = await InsertAsync(insert, args);
            existing[key] = id;
            Count(kind, added: true);
            return id;
        }

        private async Task<int> AddDeviceAsync(string kind, string name, int? bedId, int? wardId, string describedAs)
        {
            var key = Sessions.Secrets.NewToken();
            var deviceId = await InsertAsync(DeviceQueries.Insert, new { Kind = kind, Name = name, BedId = bedId, WardId = wardId, KeyHash = Sessions.Secrets.Hash(key) });
            // The bedside needs the bed's id with its key; a station screen and a line need only their key.
            Secret($"{kind}-key", bedId ?? deviceId, describedAs, key);
            return deviceId;
        }

        private void Count(string kind, bool added)
        {
            var (a, u) = _counts[kind];
            _counts[kind] = added ? (a + 1, u) : (a, u + 1);
        }

        private void Secret(string kind, int id, string name, string secret) =>
            _secrets.AppendLine(CultureInfo.InvariantCulture, $"{kind}\t{id}\t{name}\t{secret}");

        private async Task<IReadOnlyList<Named>> QueryAsync(string sql) =>
            [.. await tx.Connection!.QueryAsync<Named>(new CommandDefinition(sql, transaction: tx, cancellationToken: ct))];

        private Task<int> InsertAsync(string sql, object args) =>
            tx.Connection!.ExecuteScalarAsync<int>(new CommandDefinition(sql, args, tx, cancellationToken: ct));

        private Task<int> ExecuteAsync(string sql, object args) =>
            tx.Connection!.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct));

        /// <summary>Names compare as the database compares them (its collation ignores case).</summary>
        private sealed class ParentAndName : IEqualityComparer<(int, string)>
        {
            public bool Equals((int, string) x, (int, string) y) => x.Item1 == y.Item1 && s_names.Equals(x.Item2, y.Item2);

            public int GetHashCode((int, string) key) => HashCode.Combine(key.Item1, s_names.GetHashCode(key.Item2));
        }
    }
}
