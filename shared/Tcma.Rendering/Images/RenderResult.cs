namespace Tcma.Rendering.Images;

/// <summary>Where a layer landed on the canvas, in pixels (PDF: points), so a preview can outline it and tests can check it.</summary>
public sealed record LayerPlacement(string Place, string Type, int Page, int X, int Y, int Width, int Height)
{
    public bool Contains(int x, int y, int tolerance = 0) =>
        x >= X - tolerance && y >= Y - tolerance && x < X + Width + tolerance && y < Y + Height + tolerance;
}

public sealed record RenderReport(IReadOnlyList<RenderIssue> Warnings, IReadOnlyList<RenderIssue> Errors, IReadOnlyList<LayerPlacement> Placements)
{
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>The encoded output, or no bytes at all when anything went wrong: nothing half-rendered leaves the renderer.</summary>
public sealed record RenderResult(byte[]? Bytes, string ContentType, RenderReport Report)
{
    public bool Succeeded => Bytes is not null;
}
