"""The three 64-bit string hashes TF's hash-bucket ops use, written from the algorithms' public
descriptions so numflow's buckets equal TF's:

- `farmhash_fingerprint64`: FarmHash's Fingerprint64 (the "na" variant of Hash64, CityHash lineage),
  used by `tf.strings.to_hash_bucket_fast` and the feature columns' hash buckets;
- `murmur_hash64`: MurmurHash64A with TF's default seed 0xDECAFCAFFE, used by the legacy
  `tf.strings.to_hash_bucket`;
- `siphash24`: SipHash-2-4 with a 128-bit key, used by `tf.strings.to_hash_bucket_strong`.

All take `bytes` and return an unsigned 64-bit Python int. Python ints are unbounded, so every
arithmetic step is reduced modulo 2**64 to model unsigned 64-bit C arithmetic.
"""

_MASK64 = (1 << 64) - 1
# FarmHash's multiplicative constants (primes between 2**63 and 2**64).
_K0, _K1, _K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f

__all__ = ["farmhash_fingerprint64", "murmur_hash64", "siphash24"]


def _load64(data, at):
    return int.from_bytes(data[at:at + 8], "little")


def _load32(data, at):
    return int.from_bytes(data[at:at + 4], "little")


def _rotate_right(value, shift):
    return ((value >> shift) | (value << (64 - shift))) & _MASK64


def _rotate_left(value, shift):
    return ((value << shift) | (value >> (64 - shift))) & _MASK64


def _shift_mix(value):
    return value ^ (value >> 47)


def _mix_pair(u, v, mul):
    """FarmHash's HashLen16: a Murmur-style combination of two 64-bit words."""
    a = ((u ^ v) * mul) & _MASK64
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK64
    b ^= b >> 47
    return (b * mul) & _MASK64


def _hash_up_to_16(data, n):
    if n >= 8:
        mul = _K2 + n * 2
        a = (_load64(data, 0) + _K2) & _MASK64
        b = _load64(data, n - 8)
        c = (_rotate_right(b, 37) * mul + a) & _MASK64
        d = ((_rotate_right(a, 25) + b) * mul) & _MASK64
        return _mix_pair(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _mix_pair(n + (_load32(data, 0) << 3), _load32(data, n - 4), mul)
    if n > 0:
        y = (data[0] + (data[n >> 1] << 8)) & 0xffffffff
        z = (n + (data[n - 1] << 2)) & 0xffffffff
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK64) * _K2) & _MASK64
    return _K2


def _hash_17_to_32(data, n):
    mul = _K2 + n * 2
    a = (_load64(data, 0) * _K1) & _MASK64
    b = _load64(data, 8)
    c = (_load64(data, n - 8) * mul) & _MASK64
    d = (_load64(data, n - 16) * _K2) & _MASK64
    return _mix_pair((_rotate_right((a + b) & _MASK64, 43) + _rotate_right(c, 30) + d) & _MASK64,
                     (a + _rotate_right((b + _K2) & _MASK64, 18) + c) & _MASK64, mul)


def _hash_33_to_64(data, n):
    mul = _K2 + n * 2
    a = (_load64(data, 0) * _K2) & _MASK64
    b = _load64(data, 8)
    c = (_load64(data, n - 8) * mul) & _MASK64
    d = (_load64(data, n - 16) * _K2) & _MASK64
    y = (_rotate_right((a + b) & _MASK64, 43) + _rotate_right(c, 30) + d) & _MASK64
    z = _mix_pair(y, (a + _rotate_right((b + _K2) & _MASK64, 18) + c) & _MASK64, mul)
    e = (_load64(data, 16) * mul) & _MASK64
    f = _load64(data, 24)
    g = ((y + _load64(data, n - 32)) * mul) & _MASK64
    h = ((z + _load64(data, n - 24)) * mul) & _MASK64
    return _mix_pair((_rotate_right((e + f) & _MASK64, 43) + _rotate_right(g, 30) + h) & _MASK64,
                     (e + _rotate_right((f + a) & _MASK64, 18) + g) & _MASK64, mul)


def _weak_hash_32(data, at, a, b):
    """FarmHash's WeakHashLen32WithSeeds over the 32 bytes at `at`: a pair of 64-bit words."""
    w, x, y, z = _load64(data, at), _load64(data, at + 8), _load64(data, at + 16), _load64(data, at + 24)
    a = (a + w) & _MASK64
    b = _rotate_right((b + a + z) & _MASK64, 21)
    c = a
    a = (a + x + y) & _MASK64
    b = (b + _rotate_right(a, 44)) & _MASK64
    return (a + z) & _MASK64, (b + c) & _MASK64


def _mix_64_bytes(data, at, x, y, z, v0, v1, w0, w1):
    """One 64-byte step of the City/Farm hash main loop (Fingerprint64's and Fingerprint128's): the
    seven state words after mixing in data[at:at + 64]."""
    x = (_rotate_right((x + y + v0 + _load64(data, at + 8)) & _MASK64, 37) * _K1) & _MASK64
    y = (_rotate_right((y + v1 + _load64(data, at + 48)) & _MASK64, 42) * _K1) & _MASK64
    x ^= w1
    y = (y + v0 + _load64(data, at + 40)) & _MASK64
    z = (_rotate_right((z + w0) & _MASK64, 33) * _K1) & _MASK64
    v0, v1 = _weak_hash_32(data, at, (v1 * _K1) & _MASK64, (x + w0) & _MASK64)
    w0, w1 = _weak_hash_32(data, at + 32, (z + w1) & _MASK64, (y + _load64(data, at + 16)) & _MASK64)
    return z, y, x, v0, v1, w0, w1


def farmhash_fingerprint64(data):
    """FarmHash Fingerprint64 of `data` (bytes): TF's `Fingerprint64`, stable across platforms."""
    n = len(data)
    if n <= 16:
        return _hash_up_to_16(data, n)
    if n <= 32:
        return _hash_17_to_32(data, n)
    if n <= 64:
        return _hash_33_to_64(data, n)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _MASK64
    z = (_shift_mix((y * _K2 + 113) & _MASK64) * _K2) & _MASK64
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _load64(data, 0)) & _MASK64
    end = ((n - 1) // 64) * 64
    last64 = end + ((n - 1) & 63) - 63
    at = 0
    while True:   # 64-byte blocks; the last (possibly overlapping) block is mixed in below
        x, y, z, v0, v1, w0, w1 = _mix_64_bytes(data, at, x, y, z, v0, v1, w0, w1)
        at += 64
        if at == end:
            break
    mul = _K1 + ((z & 0xff) << 1)
    at = last64
    w0 = (w0 + ((n - 1) & 63)) & _MASK64
    v0 = (v0 + w0) & _MASK64
    w0 = (w0 + v0) & _MASK64
    x = (_rotate_right((x + y + v0 + _load64(data, at + 8)) & _MASK64, 37) * mul) & _MASK64
    y = (_rotate_right((y + v1 + _load64(data, at + 48)) & _MASK64, 42) * mul) & _MASK64
    x ^= (w1 * 9) & _MASK64
    y = (y + v0 * 9 + _load64(data, at + 40)) & _MASK64
    z = (_rotate_right((z + w0) & _MASK64, 33) * mul) & _MASK64
    v0, v1 = _weak_hash_32(data, at, (v1 * mul) & _MASK64, (x + w0) & _MASK64)
    w0, w1 = _weak_hash_32(data, at + 32, (z + w1) & _MASK64, (y + _load64(data, at + 16)) & _MASK64)
    z, x = x, z
    return _mix_pair((_mix_pair(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _MASK64,
                     (_mix_pair(v1, w1, mul) + x) & _MASK64, mul)


def murmur_hash64(data, seed=0xDECAFCAFFE):
    """MurmurHash64A of `data` (bytes) with `seed` (TF's default): TF's legacy `Hash64`."""
    mul = 0xc6a4a7935bd1e995
    n = len(data)
    h = (seed ^ (n * mul)) & _MASK64
    whole = n - n % 8
    for at in range(0, whole, 8):
        k = (_load64(data, at) * mul) & _MASK64
        k ^= k >> 47
        h ^= (k * mul) & _MASK64
        h = (h * mul) & _MASK64
    if whole < n:
        h ^= int.from_bytes(data[whole:], "little")
        h = (h * mul) & _MASK64
    h ^= h >> 47
    h = (h * mul) & _MASK64
    return h ^ (h >> 47)


def _sip_rounds(v0, v1, v2, v3, count):
    for _ in range(count):
        v0 = (v0 + v1) & _MASK64
        v1 = _rotate_left(v1, 13) ^ v0
        v0 = _rotate_left(v0, 32)
        v2 = (v2 + v3) & _MASK64
        v3 = _rotate_left(v3, 16) ^ v2
        v0 = (v0 + v3) & _MASK64
        v3 = _rotate_left(v3, 21) ^ v0
        v2 = (v2 + v1) & _MASK64
        v1 = _rotate_left(v1, 17) ^ v2
        v2 = _rotate_left(v2, 32)
    return v0, v1, v2, v3


def siphash24(key0, key1, data):
    """SipHash-2-4 of `data` (bytes) under the 128-bit key (key0, key1), each an unsigned 64-bit int."""
    v0 = key0 ^ 0x736f6d6570736575
    v1 = key1 ^ 0x646f72616e646f6d
    v2 = key0 ^ 0x6c7967656e657261
    v3 = key1 ^ 0x7465646279746573
    n = len(data)
    whole = n - n % 8
    for at in range(0, whole, 8):
        word = _load64(data, at)
        v3 ^= word
        v0, v1, v2, v3 = _sip_rounds(v0, v1, v2, v3, 2)
        v0 ^= word
    # The last word holds the remaining bytes and, in its top byte, the length modulo 256.
    word = int.from_bytes(data[whole:], "little") | ((n & 0xff) << 56)
    v3 ^= word
    v0, v1, v2, v3 = _sip_rounds(v0, v1, v2, v3, 2)
    v0 ^= word
    v2 ^= 0xff
    v0, v1, v2, v3 = _sip_rounds(v0, v1, v2, v3, 4)
    return v0 ^ v1 ^ v2 ^ v3
