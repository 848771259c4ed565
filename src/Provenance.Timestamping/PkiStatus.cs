namespace Provenance.Timestamping;

/// <summary><c>PKIStatus</c> of a time-stamp response (RFC 3161 section 2.4.2).</summary>
public enum PkiStatus
{
    /// <summary>A token is present, as requested.</summary>
    Granted = 0,
    /// <summary>A token is present, with modifications.</summary>
    GrantedWithMods = 1,
    /// <summary>The request was refused; see <see cref="PkiFailureInfo"/>.</summary>
    Rejection = 2,
    /// <summary>The request is not yet processed.</summary>
    Waiting = 3,
    /// <summary>A revocation is imminent.</summary>
    RevocationWarning = 4,
    /// <summary>A revocation has occurred.</summary>
    RevocationNotification = 5,
}

/// <summary>
/// <c>PKIFailureInfo</c> named bits (RFC 3161 section 2.4.2); enum bit <c>n</c> is BIT STRING bit <c>n</c>.
/// </summary>
[Flags]
public enum PkiFailureInfo
{
    /// <summary>No failure bit set.</summary>
    None = 0,
    /// <summary>Unrecognized or unsupported hash algorithm.</summary>
    BadAlg = 1 << 0,
    /// <summary>Transaction not permitted or supported.</summary>
    BadRequest = 1 << 2,
    /// <summary>The data submitted has the wrong format.</summary>
    BadDataFormat = 1 << 5,
    /// <summary>The TSA's time source is not available.</summary>
    TimeNotAvailable = 1 << 14,
    /// <summary>The requested TSA policy is not supported.</summary>
    UnacceptedPolicy = 1 << 15,
    /// <summary>The requested extension is not supported.</summary>
    UnacceptedExtension = 1 << 16,
    /// <summary>The additional information requested is not available.</summary>
    AddInfoNotAvailable = 1 << 17,
    /// <summary>The request cannot be handled due to system failure.</summary>
    SystemFailure = 1 << 25,
}
