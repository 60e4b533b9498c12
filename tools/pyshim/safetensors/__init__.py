# Throwaway stand-in for the safetensors wheel (not installable here); enough for transformers' save/load paths.
import json, struct
import numpy as np

__version__ = "0.4.3"
_DT = {"F32": "float32", "F16": "float16", "I64": "int64", "I32": "int32", "U8": "uint8", "BOOL": "bool", "F64": "float64"}


def _read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    return header, data


def _tensor(info, data):
    import torch
    a, b = info["data_offsets"]
    raw = data[a:b]
    if info["dtype"] == "BF16":
        u16 = np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16
        return torch.from_numpy(u16.view(np.float32).copy()).to(torch.bfloat16).reshape(info["shape"])
    return torch.from_numpy(np.frombuffer(raw, dtype=_DT[info["dtype"]]).copy()).reshape(info["shape"])


class safe_open:
    def __init__(self, path, framework="pt", device="cpu"):
        self.header, self.data = _read(path)
        self.meta = self.header.pop("__metadata__", None)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False

    def keys(self):
        return list(self.header.keys())

    def metadata(self):
        return self.meta

    def get_tensor(self, k):
        return _tensor(self.header[k], self.data)
