using Provenance.Core.Signing;

namespace Provenance.Core.Tests.Signing;

public sealed class KeyRingTests
{
    private static readonly SigningKey First = SigningKey.Generate();
    private static readonly SigningKey Second = SigningKey.Generate();

    [Fact]
    public void Active_EmptyRing_ThrowsNoActiveKey()
    {
        var ring = KeyRing.Empty;

        var error = Assert.Throws<NoActiveKeyException>(() => ring.Active);

        Assert.Equal(ErrorKind.Unavailable, error.Kind);
    }

    [Fact]
    public void Add_SecondActive_RetiresFirst()
    {
        var ring = KeyRing.Empty.Add(First, KeyStatus.Active);

        var rotated = ring.Add(Second, KeyStatus.Active);

        Assert.Same(Second, rotated.Active);
        Assert.Equal(KeyStatus.Retired, rotated.StatusOf(First.Kid));
        Assert.Same(First, ring.Active);
    }

    [Fact]
    public void Add_SameKidTwice_ThrowsArgument()
    {
        var ring = KeyRing.Empty.Add(First, KeyStatus.Active);

        Assert.Throws<ArgumentException>(() => ring.Add(First.PublicKey, KeyStatus.Retired));
    }

    [Fact]
    public void Resolve_Statuses_ActiveAndRetiredResolveRevokedThrows()
    {
        var ring = KeyRing.Empty.Add(First, KeyStatus.Active).Add(Second, KeyStatus.Active).WithStatus(First.Kid, KeyStatus.Revoked);

        var second = ring.Resolve(Second.Kid);

        Assert.Same(Second.PublicKey, second);
        Assert.Throws<RevokedKeyException>(() => ring.Resolve(First.Kid));
        Assert.Throws<UnknownKeyException>(() => ring.Resolve("nope"));
        Assert.Throws<UnknownKeyException>(() => ring.Resolve(null));
    }

    [Fact]
    public void WithStatus_RetireActive_LeavesNoActive()
    {
        var ring = KeyRing.Empty.Add(First, KeyStatus.Active);

        var retired = ring.WithStatus(First.Kid, KeyStatus.Retired);

        Assert.Throws<NoActiveKeyException>(() => retired.Active);
        Assert.Equal(First.PublicKey, retired.Resolve(First.Kid));
    }

    [Theory]
    [InlineData(KeyStatus.Revoked, KeyStatus.Active)]
    [InlineData(KeyStatus.Revoked, KeyStatus.Retired)]
    [InlineData(KeyStatus.Retired, KeyStatus.Active)]
    public void WithStatus_ForbiddenTransition_Throws(KeyStatus from, KeyStatus to)
    {
        var ring = KeyRing.Empty.Add(First, from);

        var error = Assert.Throws<KeyStatusTransitionException>(() => ring.WithStatus(First.Kid, to));

        Assert.Equal(from, error.From);
        Assert.Equal(to, error.To);
        Assert.Equal(ErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public void WithStatus_UnknownKid_ThrowsUnknownKey()
    {
        Assert.Throws<UnknownKeyException>(() => KeyRing.Empty.WithStatus("nope", KeyStatus.Revoked));
    }

    [Fact]
    public void Active_PublicOnlyActiveKey_ThrowsNoActiveKey()
    {
        var ring = KeyRing.Empty.Add(First.PublicKey, KeyStatus.Active);

        Assert.Throws<NoActiveKeyException>(() => ring.Active);
        Assert.Same(First.PublicKey, ring.Resolve(First.Kid));
    }

    [Fact]
    public async Task LoadAsync_InMemoryStoreAfterRotationAndRevocation_ReflectsStatuses()
    {
        var store = new InMemoryKeyStore();
        var third = SigningKey.Generate();
        await store.SaveAsync(StoredKey.From(First, KeyStatus.Active));
        await store.SaveAsync(StoredKey.From(Second, KeyStatus.Active));
        await store.SaveAsync(StoredKey.From(third, KeyStatus.Active));
        await store.SetStatusAsync(First.Kid, KeyStatus.Revoked);

        var ring = await KeyRing.LoadAsync(store);

        Assert.Equal(third.Kid, ring.Active.Kid);
        Assert.Equal(KeyStatus.Retired, ring.StatusOf(Second.Kid));
        Assert.Equal(KeyStatus.Revoked, ring.StatusOf(First.Kid));
        Assert.Equal(3, ring.Entries.Count);
        var jws = Es256Jws.Sign("x"u8, Second);
        Assert.Equal(Second.Kid, Es256Jws.Verify(jws, ring).Kid);
    }

    [Fact]
    public async Task SetStatusAsync_UnrevokeInStore_Throws()
    {
        var store = new InMemoryKeyStore();
        await store.SaveAsync(StoredKey.From(First, KeyStatus.Revoked));

        await Assert.ThrowsAsync<KeyStatusTransitionException>(async () => await store.SetStatusAsync(First.Kid, KeyStatus.Active));
        await Assert.ThrowsAsync<UnknownKeyException>(async () => await store.SetStatusAsync("nope", KeyStatus.Retired));
    }

    [Fact]
    public async Task SaveAsync_SameKidTwice_Throws()
    {
        var store = new InMemoryKeyStore();
        await store.SaveAsync(StoredKey.From(First, KeyStatus.Active));

        await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync(StoredKey.From(First, KeyStatus.Retired)));
    }

    [Fact]
    public void FromStoredKeys_TwoActive_ThrowsInvalidKey()
    {
        var keys = new[] { StoredKey.From(First, KeyStatus.Active), StoredKey.From(Second, KeyStatus.Active) };

        Assert.Throws<InvalidKeyException>(() => KeyRing.FromStoredKeys(keys));
    }

    [Fact]
    public void FromStoredKeys_KidNotThumbprint_ThrowsInvalidKey()
    {
        var keys = new[] { StoredKey.From(First, KeyStatus.Active) with { Kid = Second.Kid } };

        Assert.Throws<InvalidKeyException>(() => KeyRing.FromStoredKeys(keys));
    }

    [Fact]
    public void StoredKey_ToString_DoesNotLeakPem()
    {
        var stored = StoredKey.From(First, KeyStatus.Active);

        var text = stored.ToString();

        Assert.DoesNotContain("PRIVATE", text, StringComparison.Ordinal);
        Assert.Contains(First.Kid, text, StringComparison.Ordinal);
    }
}
