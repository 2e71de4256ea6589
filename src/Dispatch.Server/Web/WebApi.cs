using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Dispatch.Server.Web;

/// <summary>
/// The nurse-station board (/), the bedside page (/bedside.html), the ops page and their scripts,
/// served from Web:Root: the output of "npm run build --prefix web" (web/dist), which also holds
/// the runbooks the ops page links (as plain text). Without Web:Root the server is API-only.
/// Nothing is fetched from a CDN: the bundle holds @microsoft/signalr.
/// </summary>
public static class WebApi
{
    public const string RootSetting = "Web:Root";

    // The pages load only their own scripts and styles and talk only to this server (WebSockets
    // included: 'self' covers ws: and wss: of the same host).
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication UseWeb(this WebApplication app)
    {
        var root = app.Configuration[RootSetting];
        if (string.IsNullOrWhiteSpace(root))
        {
            return app;
        }
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            throw new InvalidOperationException(
                $"{RootSetting} is '{root}', which holds no index.html: build the web app (npm ci --prefix web && npm run build --prefix web) or unset it.");
        }
        var files = new PhysicalFileProvider(Path.GetFullPath(root));
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".md"] = "text/plain; charset=utf-8";
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = types,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
