"""A real, playable output: YUV4MPEG2 (y4m), 4:2:0, 25 fps. Every player and ffmpeg read it and
it needs no encoder, which a torch-only GPU box may not have."""

import os

import torch


def frames_to_uint8(frames):
    """[N, 3, H, W] float in [-1, 1] -> uint8 RGB (upstream's save_video normalises the same range)."""
    return ((frames.float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def write_y4m(path, rgb_u8, fps=25):
    n, c, h, w = rgb_u8.shape
    assert c == 3 and h % 2 == 0 and w % 2 == 0, "y4m 4:2:0 needs 3 channels and even sizes"
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    tmp = path + ".part"
    with open(tmp, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for i in range(n):
            rgb = rgb_u8[i].float()
            r, g, b = rgb[0], rgb[1], rgb[2]
            # BT.601 full range (what C420jpeg means)
            y = 0.299 * r + 0.587 * g + 0.114 * b
            u = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
            v = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
            u = u.reshape(h // 2, 2, w // 2, 2).mean((1, 3))
            v = v.reshape(h // 2, 2, w // 2, 2).mean((1, 3))
            f.write(b"FRAME\n")
            for plane in (y, u, v):
                f.write(_to_bytes(plane.round().clamp(0, 255).to(torch.uint8).contiguous()))
    os.replace(tmp, path)
    return path


def _to_bytes(t):
    try:
        return t.numpy().tobytes()
    except (ImportError, RuntimeError, TypeError):  # torch wheels do not require numpy
        return bytes(t.flatten().tolist())
