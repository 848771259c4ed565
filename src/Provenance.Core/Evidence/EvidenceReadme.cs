using System.Security.Cryptography;
using System.Text;

namespace Provenance.Core.Evidence;

/// <summary>The <c>README.md</c> of a bundle: each check in plain words, with commands for the timestamp check.</summary>
internal static class EvidenceReadme
{
    public static string Render(EvidenceBundle bundle)
    {
        var text = new StringBuilder();
        text.Append($"""
            # Evidence bundle for asset `{bundle.AssetId}`

            This zip lets anyone check, without the Provenance server, that the asset's manifest was signed,
            entered an append-only log, and that the log's state was timestamped by independent authorities.
            `provenance verify --bundle <this.zip> [--file <original>]` runs every check below; each can also
            be done by hand.

            ## Files

            | file | what it is |
            |---|---|
            | `bundle.json` | index: format version, and the SHA-256 of every other file |
            | `manifest.json` | the manifest, in the exact RFC 8785 canonical bytes that were hashed and signed |
            | `manifest.jws` | ES256 compact JWS over `manifest.json` |
            | `signer-key.pem`, `signer-key.jwk` | public key that signed the manifest (PEM and JWK; `kid` is its RFC 7638 thumbprint) |
            | `lineage.json` | the asset and its ancestors up to the roots: ids, content hashes, relationships, manifest hashes |
            | `inclusion-proof.json` | RFC 9162 inclusion proof of the manifest hash in the epoch's Merkle tree |
            | `checkpoint.txt` | the epoch checkpoint, one field per line: log origin, tree size, root hash (base64), epoch, previous epoch's root, sealing time |
            | `checkpoint.jws`, `log-key.pem`, `log-key.jwk` | the log key's ES256 signature over `checkpoint.txt`, and that key |
            | `timestamps/<tsa>.tsr` | RFC 3161 timestamp token (DER) over the SHA-256 of `checkpoint.txt` |
            | `timestamps/<tsa>-chain.pem` | the TSA's certificate and its root |

            ## The checks

            1. **content-hash**: the SHA-256 of the original file, written `sha256:<hex>`, equals `contentHash` in
               `manifest.json`. (Only when you have the file: `sha256sum <file>`.)
            2. **manifest-canonical**: `manifest.json` is already in RFC 8785 canonical form, so its hash is well defined.
            3. **manifest-hash**: `sha256:` + SHA-256 of `manifest.json` equals the asset's manifest hash in
               `lineage.json`; the log leaf is those 32 bytes.
            4. **signature**: `manifest.jws` is a valid ES256 signature over `manifest.json` with `signer-key.pem`,
               and its `kid` is that key's RFC 7638 thumbprint.
            5. **lineage**: every parent named by the manifest, and by each ancestor, is present in `lineage.json`
               and the links lead, without a cycle, to roots (assets without parents).
            6. **inclusion**: the leaf hash is SHA-256(0x00 || manifest hash bytes) (RFC 9162 section 2.1.1), and
               the proof hashes lead from it to the root hash of `checkpoint.txt` at its tree size (section 2.1.3.2).
            7. **checkpoint**: `checkpoint.jws` is a valid ES256 signature over `checkpoint.txt` with `log-key.pem`.
            8. **timestamp-imprint:&lt;tsa&gt;**: the token's message imprint is the SHA-256 of `checkpoint.txt`.
            9. **timestamp:&lt;tsa&gt;**: the token's CMS signature verifies and its certificate chains to the root.
            10. **bundle-index**: every file's SHA-256 matches `bundle.json`.

            The keys and the TSA root are shipped inside the bundle, so these checks prove the pieces are
            consistent with each other. To rely on them, compare the keys' thumbprints with the ones the service
            publishes (`GET /v1/keys`) and the TSA root with the one you trust.

            """);

        if (bundle.Checkpoint is { } checkpoint)
        {
            var digest = Convert.ToHexStringLower(SHA256.HashData(checkpoint.Text));
            text.Append($"""
                ## Checking the timestamps with OpenSSL

                The SHA-256 of `checkpoint.txt` is `{digest}` (`sha256sum checkpoint.txt`). For each token:

                ```sh

                """);
            foreach (var timestamp in bundle.Timestamps)
            {
                var token = EvidenceBundleLayout.TokenPath(timestamp.Tsa);
                var chain = EvidenceBundleLayout.ChainPath(timestamp.Tsa);
                text.Append($"openssl ts -verify -digest {digest} -in {token} -token_in -CAfile {chain}\n");
            }

            text.Append("""
                ```

                OpenSSL prints `Verification: OK` when the token is signed by the TSA certificate, that certificate
                chains to the root in the same PEM, and the token's imprint is that digest.

                """);
        }
        else
        {
            text.Append("""
                ## Not yet anchored

                The asset is in no sealed epoch yet, so this bundle has no inclusion proof, checkpoint or timestamps;
                those checks report `pending`. Export the bundle again after the next epoch.

                """);
        }

        return text.ToString();
    }
}
