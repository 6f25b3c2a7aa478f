using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Switchboard.Core.Writes;

namespace Switchboard.Server.Security;

/// <summary>
/// Subscriber tokens: JWTs signed with HS256 carrying <c>topics</c> (patterns), <c>exp</c> and optionally <c>labels</c>.
/// Lifetimes are checked against the injected <see cref="TimeProvider"/>, not the machine clock, so tests can move time.
/// </summary>
internal sealed class SubscriberTokens(TokenSecret secret, TimeProvider time)
{
    /// <summary>Longest token considered; a bigger one is refused before any parsing.</summary>
    public const int MaxTokenLength = 8192;

    /// <summary>Most topic patterns in one token.</summary>
    public const int MaxTopics = 100;

    private const string Issuer = "switchboard";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false, MaximumTokenSizeInBytes = MaxTokenLength };

    /// <summary>Signs a token for <paramref name="topics"/>, optionally scoped to <paramref name="labels"/>, valid for <paramref name="lifetime"/>.</summary>
    public (string Token, DateTimeOffset ExpiresAt) Mint(IReadOnlyList<string> topics, IReadOnlyDictionary<string, string>? labels, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        // JWT times are whole seconds; round the expiry down so a token never outlives what was asked.
        var expires = DateTimeOffset.FromUnixTimeSeconds((now + lifetime).ToUnixTimeSeconds());
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("iss", Issuer);
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("nbf", now.ToUnixTimeSeconds());
            w.WriteNumber("exp", expires.ToUnixTimeSeconds());
            w.WriteStartArray("topics");
            foreach (var t in topics)
            {
                w.WriteStringValue(t);
            }

            w.WriteEndArray();
            if (labels is { Count: > 0 })
            {
                w.WriteStartObject("labels");
                foreach (var (k, v) in labels)
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        var credentials = new SigningCredentials(secret.Key, SecurityAlgorithms.HmacSha256);
        return (_handler.CreateToken(Encoding.UTF8.GetString(buffer.WrittenSpan), credentials), expires);
    }

    /// <summary>The grant a token carries, or null and why it is refused (bad signature, expired, malformed claims).</summary>
    public async Task<(StreamGrant? Grant, string? Error)> ValidateAsync(string token)
    {
        if (token.Length is 0 or > MaxTokenLength)
        {
            return (null, "the token is empty or too long");
        }

        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
            {
                IssuerSigningKey = secret.Key,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ValidateIssuer = false,
                ValidateAudience = false,
                // Lifetime is checked below with the injected clock.
                ValidateLifetime = false,
                RequireExpirationTime = false,
                RequireSignedTokens = true,
            });
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or JsonException)
        {
            return (null, "the token is not a valid JWT");
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, "the token's signature or format is not valid");
        }

        return ReadClaims(jwt, time.GetUtcNow());
    }

    private static (StreamGrant? Grant, string? Error) ReadClaims(JsonWebToken jwt, DateTimeOffset now)
    {
        JsonDocument payload;
        try
        {
            payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException)
        {
            return (null, "the token's payload is not JSON");
        }

        using (payload)
        {
            var claims = payload.RootElement;
            if (claims.ValueKind != JsonValueKind.Object)
            {
                return (null, "the token's payload is not a JSON object");
            }

            if (!claims.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || !exp.TryGetInt64(out var expSeconds)
                || expSeconds is < 0 or > 253_402_300_799)
            {
                return (null, "the token has no valid 'exp' claim");
            }

            var expires = DateTimeOffset.FromUnixTimeSeconds(expSeconds);
            if (now >= expires)
            {
                return (null, "the token has expired");
            }

            if (claims.TryGetProperty("nbf", out var nbf) && (nbf.ValueKind != JsonValueKind.Number || !nbf.TryGetInt64(out var nbfSeconds)
                || now.ToUnixTimeSeconds() < nbfSeconds))
            {
                return (null, "the token is not valid yet ('nbf')");
            }

            var topics = new List<string>();
            if (!claims.TryGetProperty("topics", out var topicsClaim) || topicsClaim.ValueKind != JsonValueKind.Array
                || topicsClaim.GetArrayLength() is 0 or > MaxTopics)
            {
                return (null, $"the token needs a 'topics' claim: an array of 1 to {MaxTopics} topic patterns");
            }

            foreach (var t in topicsClaim.EnumerateArray())
            {
                if (t.ValueKind != JsonValueKind.String || TopicPattern.Validate(t.GetString()!) is not null)
                {
                    return (null, "the token's 'topics' claim holds an invalid topic pattern");
                }

                topics.Add(t.GetString()!);
            }

            Dictionary<string, string>? labels = null;
            if (claims.TryGetProperty("labels", out var labelsClaim) && labelsClaim.ValueKind != JsonValueKind.Null)
            {
                if (labelsClaim.ValueKind != JsonValueKind.Object)
                {
                    return (null, "the token's 'labels' claim must be an object of string values");
                }

                labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var l in labelsClaim.EnumerateObject())
                {
                    if (l.Value.ValueKind != JsonValueKind.String || !WriteValidator.IsLabelKey(l.Name))
                    {
                        return (null, "the token's 'labels' claim must be an object of string values with valid keys");
                    }

                    labels[l.Name] = l.Value.GetString()!;
                }
            }

            return (StreamGrant.ForToken(topics, labels, expires), null);
        }
    }
}
