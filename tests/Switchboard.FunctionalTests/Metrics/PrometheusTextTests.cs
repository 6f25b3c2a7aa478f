namespace Switchboard.FunctionalTests.Metrics;

/// <summary>The test parser is strict: these are mistakes a Prometheus server would reject, and it rejects them too.</summary>
public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("# TYPE a counter\na 1", "no final line feed")]
    [InlineData("# TYPE 1a counter\n1a 1\n", "name starts with a digit")]
    [InlineData("# TYPE a counter\na{b=\"x\\q\"} 1\n", "bad escape")]
    [InlineData("# TYPE a counter\na{b=\"x\"} 1\na{b=\"x\"} 2\n", "duplicate series")]
    [InlineData("# TYPE a counter\na -1\n", "negative counter")]
    [InlineData("# TYPE a gauge\na one\n", "not a number")]
    [InlineData("a 1\n# TYPE a gauge\n", "TYPE after a sample")]
    [InlineData("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n", "family split")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "buckets not cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "no +Inf bucket")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n", "+Inf differs from count")]
    [InlineData("# TYPE a summary2\na 1\n", "unknown type")]
    public void RejectsMalformedText(string text, string why) =>
        Should.Throw<FormatException>(() => PrometheusText.Parse(text), why);

    [Fact]
    public void AcceptsWellFormedText()
    {
        var text = "# HELP a A \\\\ counter\n# TYPE a counter\na{x=\"q\\\"\\n\"} 1.5e3\n" +
            "# TYPE h histogram\nh_bucket{le=\"0.5\"} 1\nh_bucket{le=\"+Inf\"} 3\nh_sum 2.25\nh_count 3\n# TYPE g gauge\ng NaN\n";
        var parsed = PrometheusText.Parse(text);
        parsed.Value("a", ("x", "q\"\n")).ShouldBe(1500);
        parsed.Families["a"].Help.ShouldBe("A \\ counter");
        parsed.Value("h_count").ShouldBe(3);
    }
}
