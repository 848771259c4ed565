namespace Provenance.Core.Contracts;

/// <summary>POST /v1/verify with JSON: give exactly one of an asset id or a content hash (a file upload goes as multipart).</summary>
public sealed record VerifyRequest(string? AssetId = null, string? ContentHash = null);

/// <summary>Outcome of one check.</summary>
public enum CheckOutcome { Pass, Fail, Pending, NotApplicable }

/// <summary>One named check (hash, signature, lineage, inclusion, checkpoint, timestamp:&lt;tsa&gt;) with a plain-language detail.</summary>
public sealed record CheckDto(string Name, CheckOutcome Outcome, string Detail);

/// <summary>The verification answer. Verdict is <c>verified</c>, <c>partially-verified</c> (e.g. not yet in an epoch) or <c>failed</c>.</summary>
public sealed record VerifyResultDto(string Verdict, string? AssetId, string? ContentHash, IReadOnlyList<CheckDto> Checks, string? EvidenceUrl);
