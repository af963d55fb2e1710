using System.Globalization;
using SkiaSharp;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Mdf;
using Tcma.Functions.Web.Pages.Dashboards;
using Tcma.Rendering.Images;
using ActivityKind = Tcma.Domain.Dashboards.ActivityKind;

namespace Tcma.Functions.Dashboards;

/// <summary>
/// The console home as a one-page PDF for a quarterly review: the same figures, funnel, weekly charts, tables and
/// at-risk list, drawn as vector text and shapes with Skia's PDF backend. Pure: a view in, bytes out; the same inputs
/// give the same bytes (no date in the metadata; the footer carries the time it was asked for).
/// </summary>
/// <remarks>
/// A4 portrait, because it is the paper of most of the world and the one size a PDF viewer and a printer agree on
/// outside North America; printed on Letter with "fit to page" it shrinks by 6% and loses nothing. Every block has a
/// fixed place and every table a fixed number of rows, so no data can push the page onto a second one.
/// </remarks>
public sealed class DashboardReport(ImageRenderer renderer)
{
    public const float PageWidth = 595, PageHeight = 842;
    public const int TopKits = 5, TopPartners = 8, AtRiskShown = 4, ProgramsShown = 2;

    /// <param name="mdf">The MDF programs running in the period (<see cref="DashboardMoney"/>); none leaves the block saying so.</param>
    public byte[] Render(DashboardView view, string vendorName, DateTimeOffset generatedAt, MdfHome? mdf = null)
    {
        // Through the renderer's one font loader: from bundled bytes, never the machine's fonts (which Azure may lack).
        using var regular = renderer.Typeface(BundledFonts.Files, BundledFonts.Regular);
        using var bold = renderer.Typeface(BundledFonts.Files, BundledFonts.Bold);
        using var stream = new SKDynamicMemoryWStream();
        var metadata = new SKDocumentPdfMetadata
        {
            Title = $"Channel program report: {OneLine(vendorName)}, {view.Period.Label}",
            Author = OneLine(vendorName), Creator = "Tcma", Producer = "Tcma", RasterDpi = 300, EncodingQuality = 92,
        };
        using (var document = SKDocument.CreatePdf(stream, metadata))
        {
            var canvas = document.BeginPage(PageWidth, PageHeight);
            new Page(canvas, regular.Value, bold.Value).Draw(view, mdf ?? MdfHome.Empty, vendorName, generatedAt);
            document.EndPage();
            document.Close();
        }
        using var data = stream.DetachAsData();
        return data.ToArray();
    }

    private static string OneLine(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private sealed class Page(SKCanvas canvas, SKTypeface regular, SKTypeface boldFace)
    {
        private const float Margin = 36, Width = PageWidth - 2 * Margin, Gap = 12, LeftColumn = 250, RightX = Margin + LeftColumn + Gap, RightColumn = Width - LeftColumn - Gap;
        private const string NoActivity = "No activity in this period";

        // The console's colours (wwwroot/assets/tcma.css) and the SVG charts' palette, so the paper matches the screen.
        private static readonly SKColor Ink = SKColor.Parse("#1b1f24"), Muted = SKColor.Parse("#4a5360"), Brand = SKColor.Parse("#0b2545"),
            OnBrand = SKColor.Parse("#dbe4f0"), Line = SKColor.Parse("#d0d5dc"), Wash = SKColor.Parse("#f3f5f8");
        private static readonly SKColor[] Palette = SeriesChart.Palette.Select(SKColor.Parse).ToArray();

        public void Draw(DashboardView view, MdfHome mdf, string vendorName, DateTimeOffset generatedAt)
        {
            Header(view, vendorName);
            Figures(view.Totals, 88);
            Funnel(view.Funnel, Margin, 152, LeftColumn, 160);
            var labels = view.Weeks.Select(w => w.Start.ToString("d MMM", CultureInfo.InvariantCulture)).ToList();
            IReadOnlyList<double> Week(ActivityKind k) => view.Weeks.Select(w => (double)w.Counts[k]).ToList();
            Chart("Emails by week", "line", labels, [("Sent", Week(ActivityKind.EmailSent)), ("Opened", Week(ActivityKind.EmailOpened)), ("Clicked", Week(ActivityKind.EmailClicked))],
                RightX, 152, RightColumn, 160);
            Chart("Leads by week", "bars", labels, [("New", Week(ActivityKind.LeadCaptured)), ("Accepted", Week(ActivityKind.LeadAccepted)), ("Won", Week(ActivityKind.LeadWon))],
                Margin, 324, LeftColumn, 140);
            Kits(view.Kits, RightX, 324, RightColumn);
            Partners(view.Partners.Where(p => p.PartnerId != "-").ToList(), 476);
            Mdf(mdf, 626);
            AtRisk(view.AtRisk, 704);
            Footer(generatedAt);
        }

        private void Header(DashboardView view, string vendorName)
        {
            Rect(0, 0, PageWidth, 76, Brand);
            var brand = Text("Tcma", PageWidth - Margin, 30, 12, SKColors.White, bold: true, align: SKTextAlign.Right);
            Text("Channel program report", Margin, 30, 18, SKColors.White, bold: true, maxWidth: Width - brand - 12);
            var p = view.Period;
            Text($"{OneLine(vendorName)} · {p.Label}: {p.From.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} to {p.To.ToString("d MMM yyyy", CultureInfo.InvariantCulture)}",
                Margin, 49, 10.5f, OnBrand, maxWidth: Width);
            var f = view.Filters;
            if (!f.Any) return;
            var parts = new[] { ("tier", f.Tier), ("region", f.Region), ("kit", f.Kit) }.Where(x => x.Item2 is not null).Select(x => $"{x.Item1} {OneLine(x.Item2!)}");
            var line = "Filtered to " + string.Join(", ", parts);
            if (f.Kit is not null && (f.Tier is not null || f.Region is not null))
                line += " (a kit with a tier or region is not counted yet, so figures are zero)";
            Text(line, Margin, 65, 8.5f, OnBrand, maxWidth: Width);
        }

        private void Figures(Counts t, float y)
        {
            string Rate(long part, long whole, string of) => whole == 0 ? "– of " + of : Counts.Rate(part, whole).ToString("0%", CultureInfo.InvariantCulture) + " of " + of;
            (string Label, long Value, string? Detail)[] tiles =
            [
                ("Launches", t[ActivityKind.Launched], null),
                ("Emails sent", t[ActivityKind.EmailSent], null),
                ("Opened", t[ActivityKind.EmailOpened], Rate(t[ActivityKind.EmailOpened], t[ActivityKind.EmailSent], "sent")),
                ("Clicked", t[ActivityKind.EmailClicked], Rate(t[ActivityKind.EmailClicked], t[ActivityKind.EmailSent], "sent")),
                ("Leads", t[ActivityKind.LeadCaptured], null),
                ("Accepted", t[ActivityKind.LeadAccepted], Rate(t[ActivityKind.LeadAccepted], t[ActivityKind.LeadCaptured], "leads")),
                ("Won", t[ActivityKind.LeadWon], Money(t.Won) + " revenue"),
            ];
            const float gap = 6;
            var w = (Width - gap * (tiles.Length - 1)) / tiles.Length;
            for (var i = 0; i < tiles.Length; i++)
            {
                var x = Margin + i * (w + gap);
                Rect(x, y, w, 52, Wash);
                Text(tiles[i].Label, x + 6, y + 13, 7.5f, Muted, bold: true, maxWidth: w - 12);
                var value = N(tiles[i].Value);
                Text(value, x + 6, y + 33, FitSize(value, 15, 8, bold: true, w - 12), Ink, bold: true, maxWidth: w - 12);
                if (tiles[i].Detail is { } d) Text(d, x + 6, y + 45, FitSize(d, 7, 5.5f, bold: false, w - 12), Muted, maxWidth: w - 12);
            }
        }

        private void Funnel(IReadOnlyList<FunnelStep> steps, float x, float y, float w, float h)
        {
            Heading("Participation", "Of your active partners, how many reached each step", x, y, w);
            if (steps.Count == 0 || steps.All(s => s.Count == 0))
            {
                Empty(x, y + 24, w, h - 24);
                return;
            }
            var first = Math.Max(1, steps[0].Count);
            var row = (h - 26) / steps.Count;
            for (var i = 0; i < steps.Count; i++)
            {
                var ry = y + 26 + i * row;
                var s = steps[i];
                var conversion = i == 0 ? "" : steps[i - 1].Count == 0 ? "· –" : "· " + Counts.Rate(s.Count, steps[i - 1].Count).ToString("0%", CultureInfo.InvariantCulture) + " of the step before";
                var used = Text(conversion, x + w, ry + 9, 7.5f, Muted, align: SKTextAlign.Right);
                if (used > 0) used += Measure(" ", 7.5f, bold: false);
                used += Text(N(s.Count), x + w - used, ry + 9, 7.5f, Ink, bold: true, align: SKTextAlign.Right);
                Text(s.Label, x, ry + 9, 8, Ink, maxWidth: w - used - 8);
                var bar = Math.Min(9f, row - 13f);
                Rect(x, ry + 12, w, bar, Wash);
                var share = (float)Math.Min(1, (double)s.Count / first);
                if (s.Count > 0) Rect(x, ry + 12, Math.Max(2, w * share), bar, Palette[0]);
            }
        }

        private void Chart(string title, string kind, IReadOnlyList<string> labels, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series, float x, float y, float w, float h)
        {
            Heading(title, null, x, y, w);
            var all = series.SelectMany(v => v.Values).ToList();
            if (labels.Count == 0 || all.All(v => v == 0))
            {
                Empty(x, y + 18, w, h - 18);
                return;
            }
            // The legend on the heading's line, right-aligned: colour, dash and marker, as the SVG chart shows them.
            var lx = x + w;
            for (var s = series.Count - 1; s >= 0; s--)
            {
                lx -= Measure(series[s].Name, 7.5f, bold: false);
                Text(series[s].Name, lx, y + 10, 7.5f, Ink);
                lx -= 20;
                if (kind == "bars") Rect(lx + 5, y + 4, 8, 8, Palette[s % Palette.Length]);
                else
                {
                    Stroke([new SKPoint(lx, y + 7), new SKPoint(lx + 17, y + 7)], s);
                    Marker(s, lx + 8.5f, y + 7);
                }
                lx -= 8;
            }
            var ticks = ChartScale.Ticks(all.Max());
            var top = ticks[^1];
            const float axis = 30;
            float plotLeft = x + axis, plotRight = x + w, plotTop = y + 22, plotBottom = y + h - 14;
            float Y(double v) => plotBottom - (float)ChartScale.Position(v, top, plotBottom - plotTop);
            foreach (var t in ticks)
            {
                Hairline(plotLeft, Y(t), plotRight, Y(t), Line);
                Text(ChartScale.Label(t), plotLeft - 4, Y(t) + 2.5f, 6.5f, Muted, align: SKTextAlign.Right);
            }
            var slot = (plotRight - plotLeft) / labels.Count;
            float X(int i) => plotLeft + slot * (i + 0.5f);
            // As many labels as fit without touching, the first always.
            var every = Math.Max(1, (int)Math.Ceiling(labels.Max(l => Measure(l, 6.5f, bold: false) + 6) / slot));
            for (var i = 0; i < labels.Count; i += every) Text(labels[i], X(i), plotBottom + 9, 6.5f, Muted, align: SKTextAlign.Center);
            if (kind == "bars")
            {
                var group = slot * 0.8f / series.Count;
                for (var s = 0; s < series.Count; s++)
                    for (var i = 0; i < series[s].Values.Count; i++)
                    {
                        var v = series[s].Values[i];
                        if (v > 0) Rect(X(i) - slot * 0.4f + s * group, Y(v), Math.Max(0.5f, group - 0.6f), plotBottom - Y(v), Palette[s % Palette.Length]);
                    }
            }
            else
            {
                for (var s = 0; s < series.Count; s++)
                {
                    Stroke(series[s].Values.Select((v, i) => new SKPoint(X(i), Y(v))).ToArray(), s);
                    // Markers tell the series apart where lines cross, but crowd a year of weeks: there, lines and dashes only.
                    if (slot >= 6) for (var i = 0; i < series[s].Values.Count; i++) Marker(s, X(i), Y(series[s].Values[i]));
                }
            }
            Hairline(plotLeft, plotBottom, plotRight, plotBottom, Muted);
        }

        private void Kits(IReadOnlyList<KitResult> kits, float x, float y, float w)
        {
            Heading("Top kits", "Kit versions with most leads, then launches", x, y, w);
            Table(x, y + 24, w,
                [("Kit", 0, false), ("Launches", 42, true), ("Sent", 38, true), ("Leads", 32, true), ("Revenue", 48, true)],
                kits.Take(TopKits).Select(k => new[] { $"{k.KitId} v{k.Version}", N(k.Counts[ActivityKind.Launched]), N(k.Counts[ActivityKind.EmailSent]),
                    N(k.Counts[ActivityKind.LeadCaptured]), Money(k.Counts.Won) }).ToList(),
                kits.Count > TopKits ? $"and {N(kits.Count - TopKits)} more kit versions in the console" : null);
        }

        private void Partners(IReadOnlyList<PartnerResult> partners, float y)
        {
            Heading("Top partners", "Partners with most revenue, then leads", Margin, y, Width);
            Table(Margin, y + 24, Width,
                [("Partner", 0, false), ("Tier", 50, false), ("Region", 74, false), ("Launches", 44, true), ("Sent", 40, true), ("Clicked", 40, true),
                 ("Leads", 34, true), ("Accepted", 44, true), ("Won", 30, true), ("Revenue", 52, true)],
                partners.Take(TopPartners).Select(p => new[] { p.Name, p.Tier, p.Region, N(p.Counts[ActivityKind.Launched]), N(p.Counts[ActivityKind.EmailSent]),
                    N(p.Counts[ActivityKind.EmailClicked]), N(p.Counts[ActivityKind.LeadCaptured]), N(p.Counts[ActivityKind.LeadAccepted]),
                    N(p.Counts[ActivityKind.LeadWon]), Money(p.Counts.Won) }).ToList(),
                partners.Count > TopPartners ? $"and {N(partners.Count - TopPartners)} more partners with activity in the console" : null);
        }

        private void Mdf(MdfHome mdf, float y)
        {
            Heading("MDF", "Programs running in the period: where their funds stand today (funded: allocated, accrued and adjusted), in each program's currency", Margin, y, Width);
            if (mdf.Programs.Count == 0)
            {
                Text("No MDF program runs in this period.", Margin, y + 36, 8, Muted);
                return;
            }
            static string M(Money m) => m.Amount.ToString("N0", CultureInfo.InvariantCulture);
            Table(Margin, y + 24, Width,
                [("Program", 0, false), ("Currency", 44, false), ("Funded", 52, true), ("Reserved", 50, true), ("Claimed", 48, true), ("Paid", 48, true),
                 ("Expired", 44, true), ("Available", 58, true), ("Expiring in 30 days", 86, true)],
                mdf.Programs.Take(ProgramsShown).Select(p => new[] { p.Program.Name, p.Program.Currency.Code, M(p.Figures.TotalIn),
                    M(p.Figures.Reserved), M(p.Figures.Claimed), M(p.Figures.Paid), M(p.Figures.Expired), M(p.Figures.Available), M(p.AtRisk) }).ToList(),
                null);
            var requests = mdf.Waiting.Count(w => w.Kind == "request");
            var parts = new List<string>
            {
                $"Waiting: {N(requests)} request{(requests == 1 ? "" : "s")} and {N(mdf.Waiting.Count - requests)} claim{(mdf.Waiting.Count - requests == 1 ? "" : "s")}"
                    + (mdf.Waiting.Count > 0 ? $", the oldest {N((long)mdf.Waiting.Max(w => w.Age).TotalDays)} days" : ""),
            };
            parts.AddRange(mdf.Return.Where(r => r.PipelinePerMdf is not null)
                .Select(r => $"pipeline per {r.Currency.Code} 1 of MDF reimbursed: {r.PipelinePerMdf!.Value.ToString("0.##", CultureInfo.InvariantCulture)}"));
            if (mdf.Programs.Count > ProgramsShown) parts.Add($"{N(mdf.Programs.Count - ProgramsShown)} more program{(mdf.Programs.Count - ProgramsShown == 1 ? "" : "s")} in the console");
            Text(string.Join(" · ", parts), Margin + 4, y + 24 + 12.5f * (Math.Min(ProgramsShown, mdf.Programs.Count) + 1) + 10, 7, Muted, maxWidth: Width);
        }

        private void AtRisk(IReadOnlyList<AtRiskPartner> atRisk, float y)
        {
            Heading($"Partners at risk ({N(atRisk.Count)})", "Active partners gone silent or whose engagement score (0-100) fell, lowest score first", Margin, y, Width);
            if (atRisk.Count == 0)
            {
                Text("No partner is at risk in this period.", Margin, y + 36, 8, Muted);
                return;
            }
            Table(Margin, y + 24, Width, [("Partner", 210, false), ("Tier", 60, false), ("Score", 36, true), ("Why", 0, false)],
                atRisk.Take(AtRiskShown).Select(r => new[] { r.Name, r.Tier, r.Score.ToString(CultureInfo.InvariantCulture), r.Reason }).ToList(),
                atRisk.Count > AtRiskShown ? $"and {N(atRisk.Count - AtRiskShown)} more in the console" : null, gapAfterNumbers: 14);
        }

        private void Footer(DateTimeOffset at)
        {
            Hairline(Margin, PageHeight - 30, PageWidth - Margin, PageHeight - 30, Line);
            var zone = at.Offset == TimeSpan.Zero ? "UTC" : "UTC" + (at.Offset < TimeSpan.Zero ? "-" : "+") + at.Offset.ToString("hh\\:mm", CultureInfo.InvariantCulture);
            Text($"Generated {at.ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture)} {zone} by Tcma; figures counted as docs/DASHBOARDS.md describes.",
                Margin, PageHeight - 19, 7, Muted, maxWidth: Width);
        }

        /// <summary>
        /// A table of at most the rows given, each cell cut to its column with an ellipsis. A column of width 0 takes what
        /// the others leave. An empty table says there was nothing, rather than showing headers over nothing.
        /// </summary>
        private void Table(float x, float y, float w, IReadOnlyList<(string Name, float Width, bool Number)> columns, IReadOnlyList<string[]> rows, string? more, float gapAfterNumbers = 0)
        {
            if (rows.Count == 0)
            {
                Text(NoActivity, x, y + 12, 8, Muted);
                return;
            }
            const float row = 12.5f, pad = 4;
            var flexible = w - columns.Sum(c => c.Width + (c.Number ? gapAfterNumbers : 0));
            var lefts = new float[columns.Count];
            var widths = columns.Select(c => c.Width == 0 ? flexible : c.Width).ToArray();
            var cx = x;
            for (var i = 0; i < columns.Count; i++)
            {
                lefts[i] = cx;
                cx += widths[i] + (columns[i].Number ? gapAfterNumbers : 0);
            }
            void Cells(IReadOnlyList<string> cells, float baseline, bool header)
            {
                for (var c = 0; c < columns.Count; c++)
                {
                    var (left, cw) = (lefts[c], widths[c]);
                    var colour = header ? Muted : c == 0 ? Ink : columns[c].Number ? Ink : Muted;
                    if (columns[c].Number) Text(cells[c], left + cw - pad, baseline, header ? 7 : 7.5f, colour, bold: header, maxWidth: cw - pad, align: SKTextAlign.Right);
                    else Text(cells[c], left + pad, baseline, header ? 7 : 7.5f, colour, bold: header, maxWidth: cw - 2 * pad);
                }
            }
            Cells(columns.Select(c => c.Name).ToList(), y + 9, header: true);
            Hairline(x, y + row, x + w, y + row, Muted);
            for (var r = 0; r < rows.Count; r++)
            {
                var top = y + row * (r + 1);
                if (r % 2 == 1) Rect(x, top + 0.5f, w, row, Wash);
                Cells(rows[r], top + 9, header: false);
            }
            if (more is not null) Text(more, x + pad, y + row * (rows.Count + 1) + 10, 7, Muted, maxWidth: w);
        }

        private void Heading(string title, string? subtitle, float x, float y, float w)
        {
            Text(title, x, y + 10, 10.5f, Brand, bold: true, maxWidth: w);
            if (subtitle is not null) Text(subtitle, x, y + 20, 7, Muted, maxWidth: w);
        }

        private void Empty(float x, float y, float w, float h)
        {
            Rect(x, y, w, h, Wash);
            Text(NoActivity, x + w / 2, y + h / 2 + 3, 9, Muted, align: SKTextAlign.Center);
        }

        private void Stroke(SKPoint[] points, int s)
        {
            if (points.Length == 0) return;
            using var paint = new SKPaint { Color = Palette[s % Palette.Length], IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1.6f, StrokeJoin = SKStrokeJoin.Round };
            var dash = SeriesChart.Dash(s).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(d => float.Parse(d, CultureInfo.InvariantCulture) * 0.7f).ToArray();
            if (dash.Length > 0) paint.PathEffect = SKPathEffect.CreateDash(dash, 0);
            using var builder = new SKPathBuilder();
            builder.MoveTo(points[0]);
            foreach (var p in points.Skip(1)) builder.LineTo(p);
            using var path = builder.Detach();
            canvas.DrawPath(path, paint);
        }

        /// <summary>The SVG chart's markers (circle, square, triangle, diamond): a second cue besides colour.</summary>
        private void Marker(int s, float x, float y)
        {
            using var paint = new SKPaint { Color = Palette[s % Palette.Length], IsAntialias = true, Style = SKPaintStyle.Fill };
            const float r = 2.3f;
            using var builder = new SKPathBuilder();
            switch (s % 4)
            {
                case 0: canvas.DrawCircle(x, y, r, paint); return;
                case 1: canvas.DrawRect(x - r, y - r, 2 * r, 2 * r, paint); return;
                case 2: builder.MoveTo(x, y - r * 1.3f); builder.LineTo(x + r * 1.3f, y + r); builder.LineTo(x - r * 1.3f, y + r); break;
                default: builder.MoveTo(x, y - r * 1.3f); builder.LineTo(x + r * 1.3f, y); builder.LineTo(x, y + r * 1.3f); builder.LineTo(x - r * 1.3f, y); break;
            }
            builder.Close();
            using var path = builder.Detach();
            canvas.DrawPath(path, paint);
        }

        private void Rect(float x, float y, float w, float h, SKColor colour)
        {
            using var paint = new SKPaint { Color = colour, Style = SKPaintStyle.Fill };
            canvas.DrawRect(x, y, w, h, paint);
        }

        private void Hairline(float x1, float y1, float x2, float y2, SKColor colour)
        {
            using var paint = new SKPaint { Color = colour, Style = SKPaintStyle.Stroke, StrokeWidth = 0.5f };
            canvas.DrawLine(x1, y1, x2, y2, paint);
        }

        private SKFont Font(float size, bool bold) =>
            new(bold ? boldFace : regular, size) { Edging = SKFontEdging.Antialias, Hinting = SKFontHinting.None, Subpixel = true, LinearMetrics = true };

        private float Measure(string s, float size, bool bold)
        {
            using var font = Font(size, bold);
            return font.MeasureText(s);
        }

        /// <summary>The largest size, in half points down to <paramref name="min"/>, at which the text fits; below that it is cut.</summary>
        private float FitSize(string s, float size, float min, bool bold, float width)
        {
            while (size > min && Measure(s, size, bold) > width) size -= 0.5f;
            return size;
        }

        /// <summary>Draws one line of text, cut with an ellipsis to <paramref name="maxWidth"/>; returns the width drawn.</summary>
        private float Text(string s, float x, float baseline, float size, SKColor colour, bool bold = false, float maxWidth = float.MaxValue, SKTextAlign align = SKTextAlign.Left)
        {
            using var font = Font(size, bold);
            using var paint = new SKPaint { Color = colour, IsAntialias = true };
            var line = Fit(OneLine(s), font, maxWidth);
            if (line.Length == 0) return 0;
            canvas.DrawText(line, x, baseline, align, font, paint);
            return font.MeasureText(line);
        }

        /// <summary>The longest start of the text that fits with "…" after it, cut between whole characters (never inside an emoji or an accent).</summary>
        internal static string Fit(string s, SKFont font, float maxWidth)
        {
            if (font.MeasureText(s) <= maxWidth) return s;
            var ends = StringInfo.ParseCombiningCharacters(s);
            int lo = 0, hi = ends.Length - 1; // how many text elements to keep
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (font.MeasureText(s[..ends[mid]].TrimEnd() + "…") <= maxWidth) lo = mid; else hi = mid - 1;
            }
            return lo == 0 ? (font.MeasureText("…") <= maxWidth ? "…" : "") : s[..ends[lo]].TrimEnd() + "…";
        }
    }

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Money(decimal m) => m.ToString("N0", CultureInfo.InvariantCulture);
}
