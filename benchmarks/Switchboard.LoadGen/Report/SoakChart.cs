using System.Globalization;
using System.Text;
using Switchboard.LoadGen.Soak;

namespace Switchboard.LoadGen.Report;

/// <summary>
/// Draws a soak's samples as an SVG: one panel each for the RSS and the managed heap after a full GC, open files and
/// threads, against minutes, with the warm-up shaded. Plain SVG, so it renders on GitHub and in any browser.
/// </summary>
internal static class SoakChart
{
    private const int PanelWidth = 460;
    private const int PanelHeight = 230;
    private const int Left = 62;
    private const int Right = 16;
    private const int Top = 34;
    private const int Bottom = 36;

    public static string Render(SoakResult result)
    {
        var panels = new (string Title, string Unit, Func<SoakSample, double> Value, string Color)[]
        {
            ("RSS after a full GC", "MiB", s => s.RssAfterGc / 1048576.0, "#1f77b4"),
            ("Managed heap after a full GC", "MiB", s => s.HeapAfterGc / 1048576.0, "#2ca02c"),
            ("Open files", "", s => s.OpenFiles, "#d62728"),
            ("Threads", "", s => s.Threads, "#9467bd"),
        };
        var svg = new StringBuilder();
        var width = PanelWidth * 2;
        var height = PanelHeight * 2 + 28;
        svg.Append(Inv($"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"""));
        svg.Append(Inv($"""<rect width="{width}" height="{height}" fill="white"/>"""));
        var minutes = result.Samples.Count == 0 ? 1 : Math.Max(1, result.Samples[^1].Minutes);
        svg.Append(Inv($"""<text x="{width / 2}" y="18" text-anchor="middle" font-size="14">Switchboard soak: {minutes:F0} min, sampled every 10 s (shaded: the first {SoakResult.WarmUpMinutes:F0} min, warm-up)</text>"""));
        for (var i = 0; i < panels.Length; i++)
        {
            var (title, unit, value, color) = panels[i];
            Panel(svg, result.Samples, minutes, title, unit, value, color, (i % 2) * PanelWidth, 28 + (i / 2) * PanelHeight);
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static void Panel(StringBuilder svg, IReadOnlyList<SoakSample> samples, double minutes, string title, string unit,
        Func<SoakSample, double> value, string color, int x0, int y0)
    {
        var plotW = PanelWidth - Left - Right;
        var plotH = PanelHeight - Top - Bottom;
        var values = samples.Select(value).ToList();
        var (min, max) = values.Count == 0 ? (0, 1) : (values.Min(), values.Max());
        // Zero-based unless the values sit far from zero, with some headroom: growth must show, noise must not look like it.
        var low = min > 0 && min > (max - min) * 4 ? Math.Floor(min * 0.9) : 0;
        var high = Math.Ceiling(Math.Max(max * 1.05, low + 1));
        double X(double m) => x0 + Left + m / minutes * plotW;
        double Y(double v) => y0 + Top + plotH - (v - low) / (high - low) * plotH;

        svg.Append(Inv($"""<text x="{x0 + Left}" y="{y0 + 20}" font-size="13" font-weight="bold">{title}{(unit.Length > 0 ? $" ({unit})" : "")}</text>"""));
        var warm = Math.Min(SoakResult.WarmUpMinutes, minutes);
        svg.Append(Inv($"""<rect x="{X(0):F1}" y="{y0 + Top}" width="{X(warm) - X(0):F1}" height="{plotH}" fill="#eeeeee"/>"""));
        svg.Append(Inv($"""<rect x="{x0 + Left}" y="{y0 + Top}" width="{plotW}" height="{plotH}" fill="none" stroke="#888"/>"""));
        for (var t = 0; t <= 4; t++)
        {
            var v = low + (high - low) * t / 4;
            svg.Append(Inv($"""<line x1="{x0 + Left - 4}" y1="{Y(v):F1}" x2="{x0 + Left + plotW}" y2="{Y(v):F1}" stroke="#ddd"/>"""));
            svg.Append(Inv($"""<text x="{x0 + Left - 6}" y="{Y(v) + 4:F1}" text-anchor="end">{v:0.#}</text>"""));
        }

        var step = minutes <= 20 ? 2 : 10;
        for (var m = 0; m <= minutes + 0.001; m += step)
        {
            svg.Append(Inv($"""<text x="{X(m):F1}" y="{y0 + Top + plotH + 16}" text-anchor="middle">{m}</text>"""));
        }

        svg.Append(Inv($"""<text x="{x0 + Left + plotW / 2}" y="{y0 + PanelHeight - 4}" text-anchor="middle" fill="#555">minutes</text>"""));
        if (samples.Count > 1)
        {
            var points = string.Join(' ', samples.Select(s => Inv($"{X(s.Minutes):F1},{Y(value(s)):F1}")));
            svg.Append(Inv($"""<polyline points="{points}" fill="none" stroke="{color}" stroke-width="1.5"/>"""));
        }
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
