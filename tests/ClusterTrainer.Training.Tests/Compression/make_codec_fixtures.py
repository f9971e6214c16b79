#!/usr/bin/python3
"""Golden fixtures for GradientCodec, produced by PyTorch itself.

Run with the Debian Python that has torch 1.13:
    /usr/bin/python3 tests/ClusterTrainer.Training.Tests/Compression/make_codec_fixtures.py

Writes fixtures/codec_golden.json. Each case holds little-endian arrays as base64:
  values_f32            float32 input vector x
  float16_u16           bits of x.half()
  bfloat16_u16          bits of x.bfloat16()
  decoded_float16_f32   x.half().float()
  decoded_bfloat16_f32  x.bfloat16().float()
  destination_f32       dst before accumulating
  accumulate_<dtype>_f32  dst + scale * x.<dtype>().float()   (dtype: float32, float16, bfloat16)
scale is a float32-exact number, so torch's float32 arithmetic sees the same value the C# code does.
"""
import base64, json, os, struct
import numpy as np
import torch

SEED = 20261122
rng = np.random.default_rng(SEED)
f32 = lambda bits: np.array(bits, dtype=np.uint32).view(np.float32)


def edge_values():
    bits = [
        0x00000000, 0x80000000,              # +0, -0
        0x7F800000, 0xFF800000,              # +Inf, -Inf
        0x7FC00000, 0xFFC00000, 0x7F800001,  # quiet NaN, negative NaN, signalling NaN
        0x7FA12345, 0xFFBFFFFF, 0x7FFFFFFF,  # NaNs with payloads
        0x7F7FFFFF, 0xFF7FFFFF,              # float max (bfloat16 rounds it to Inf)
        0x00800000, 0x80800000,              # float min normal
        0x00000001, 0x80000001, 0x007FFFFF,  # float subnormals
        0x00008000, 0x00018000, 0x00010000,  # bfloat16 ties among float32 subnormals
        0x3F808000, 0x3F818000, 0x3F808001,  # bfloat16 ties to even at 1.0 (down, up) and just above
        0x7F7F8000, 0x7F7F7FFF,              # bfloat16 tie at the top: to Inf / stays finite
    ]
    floats = [
        1.0, -1.0, 0.5, 2.0, 1e-3, -7.25, 3.14159265,
        65504.0, -65504.0,                       # half max
        65519.99, 65520.0, -65520.0, 1e5, 1e38,  # just below the Inf cut, the cut (ties to Inf), overflow
        2.0 ** -14, 2.0 ** -14 - 2.0 ** -25,     # half min normal, just below it
        2.0 ** -24, -2.0 ** -24,                 # half min subnormal
        2.0 ** -25, 2.0 ** -25 * 1.0000001,      # tie to zero, just above the tie
        3 * 2.0 ** -25, 2.0 ** -26, 1e-10,       # tie to even (up), below half's range
        1 + 2.0 ** -11, 1 + 3 * 2.0 ** -11,      # half ties to even at 1.0 (down, up)
        1 + 2.0 ** -11 + 2.0 ** -23,             # just above a tie
        1024 + 0.5, 1024 + 1.5, 2048 + 1,        # ties where half's ulp is 1 and 2
    ]
    return np.concatenate([f32(bits), np.array(floats, dtype=np.float32)])


def half_boundaries(n):
    # midpoints between neighbouring finite halves (ties), and one float32 ulp either side of them
    h = rng.integers(0, 0x7BFF, size=n // 3, dtype=np.uint16)
    lo = h.view(np.float16).astype(np.float32).astype(np.float64)
    hi = (h + 1).view(np.float16).astype(np.float32).astype(np.float64)
    mid = ((lo + hi) / 2).astype(np.float32)
    below = np.nextafter(mid, np.float32(-np.inf))
    above = np.nextafter(mid, np.float32(np.inf))
    out = np.concatenate([mid, below, above])
    signs = np.where(rng.random(out.size) < 0.5, -1, 1).astype(np.float32)
    return out * signs


def cases():
    yield "edge", edge_values(), 1.0
    yield "random_bits", rng.integers(0, 2 ** 32, size=2048, dtype=np.uint64).astype(np.uint32).view(np.float32), 0.25
    grads = rng.standard_normal(2051) * 10.0 ** rng.uniform(-9, 3, size=2051)
    yield "gradients", grads.astype(np.float32), float(np.float32(-1 / 3))
    yield "half_boundaries", half_boundaries(1536), float(np.float32(0.1))


def b64(a):
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode("ascii")


def u16(t):
    return t.view(torch.int16).numpy().view(np.uint16)


def main():
    out = []
    for name, values, scale in cases():
        assert np.float32(scale) == scale, "scale must be float32-exact"
        x = torch.from_numpy(values.astype(np.float32).copy())
        dst = torch.from_numpy((rng.standard_normal(x.numel()) * 2).astype(np.float32))
        s = torch.tensor(scale, dtype=torch.float32)
        case = {
            "name": name, "count": x.numel(), "scale": scale,
            "values_f32": b64(x.numpy()),
            "float16_u16": b64(u16(x.half())),
            "bfloat16_u16": b64(u16(x.bfloat16())),
            "decoded_float16_f32": b64(x.half().float().numpy()),
            "decoded_bfloat16_f32": b64(x.bfloat16().float().numpy()),
            "destination_f32": b64(dst.numpy()),
        }
        for dt, conv in (("float32", x), ("float16", x.half()), ("bfloat16", x.bfloat16())):
            case[f"accumulate_{dt}_f32"] = b64((dst + s * conv.float()).numpy())
        out.append(case)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "codec_golden.json")
    with open(path, "w") as f:
        json.dump({"generator": "make_codec_fixtures.py", "torch": torch.__version__, "seed": SEED, "cases": out}, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {', '.join(c['name'] + '=' + str(c['count']) for c in out)}")


if __name__ == "__main__":
    main()
