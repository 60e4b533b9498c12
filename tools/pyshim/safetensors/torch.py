import json, struct
import torch
from . import _read, _tensor

_NAME = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64", torch.int32: "I32",
         torch.uint8: "U8", torch.bool: "BOOL", torch.float64: "F64"}


def _bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def save_file(tensors, filename, metadata=None):
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        b = _bytes(tensors[k])
        header[k] = {"dtype": _NAME[tensors[k].dtype], "shape": list(tensors[k].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(filename, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def load_file(filename, device="cpu"):
    header, data = _read(filename)
    header.pop("__metadata__", None)
    return {k: _tensor(v, data) for k, v in header.items()}


def storage_ptr(tensor):
    return tensor.untyped_storage().data_ptr() if hasattr(tensor, "untyped_storage") else tensor.storage().data_ptr()


def storage_size(tensor):
    s = tensor.untyped_storage() if hasattr(tensor, "untyped_storage") else tensor.storage()
    return s.nbytes() if hasattr(s, "nbytes") else s.size() * tensor.element_size()
