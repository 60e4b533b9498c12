#!/usr/bin/env python3
"""Writes a Qwen2-shaped HF checkpoint of random BF16 weights, sharded like the real ones
(model-0000N-of-0000M.safetensors + model.safetensors.index.json), to measure the loader's peak memory:

  python3 tools/big_checkpoint.py --out /tmp/big --layers 16 --hidden 2048 --intermediate 11008
  /usr/bin/time -v ./mapd model forward --model /tmp/big --ids 1,2,3 --out /tmp/big-out.safetensors

Only numpy is needed. Each tensor is generated and written alone, so the script itself stays small in memory."""
import argparse, json, os, struct
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--layers", type=int, default=16)
ap.add_argument("--hidden", type=int, default=2048)
ap.add_argument("--intermediate", type=int, default=11008)
ap.add_argument("--heads", type=int, default=16)
ap.add_argument("--kv-heads", type=int, default=2)
ap.add_argument("--vocab", type=int, default=151936)
ap.add_argument("--shard-gb", type=float, default=2.0)
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
H, I, hd = a.hidden, a.intermediate, a.hidden // a.heads
kv = a.kv_heads * hd
shapes = [("model.embed_tokens.weight", (a.vocab, H))]
for l in range(a.layers):
    p = f"model.layers.{l}."
    shapes += [(p + "input_layernorm.weight", (H,)), (p + "post_attention_layernorm.weight", (H,)),
               (p + "self_attn.q_proj.weight", (H, H)), (p + "self_attn.q_proj.bias", (H,)),
               (p + "self_attn.k_proj.weight", (kv, H)), (p + "self_attn.k_proj.bias", (kv,)),
               (p + "self_attn.v_proj.weight", (kv, H)), (p + "self_attn.v_proj.bias", (kv,)),
               (p + "self_attn.o_proj.weight", (H, H)),
               (p + "mlp.gate_proj.weight", (I, H)), (p + "mlp.up_proj.weight", (I, H)), (p + "mlp.down_proj.weight", (H, I))]
shapes += [("model.norm.weight", (H,)), ("lm_head.weight", (a.vocab, H))]

shards, cur, size = [], [], 0
for name, shape in shapes:
    n = int(np.prod(shape)) * 2
    if cur and size + n > a.shard_gb * 2**30:
        shards.append(cur); cur, size = [], 0
    cur.append((name, shape)); size += n
shards.append(cur)
rng = np.random.default_rng(0)
weight_map = {}
for i, shard in enumerate(shards):
    fname = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
    header, off = {"__metadata__": {"format": "pt"}}, 0
    for name, shape in shard:
        n = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [off, off + n]}
        off += n
        weight_map[name] = fname
    hb = json.dumps(header).encode()
    hb += b" " * (-len(hb) % 8)
    with open(os.path.join(a.out, fname), "wb") as f:
        f.write(struct.pack("<Q", len(hb)) + hb)
        for name, shape in shard:
            std = 1.0 if name.endswith("norm.weight") else 0.02
            x = (rng.standard_normal(shape, dtype=np.float32) * std).view(np.uint32) >> 16
            f.write(x.astype("<u2").tobytes())
json.dump({"metadata": {}, "weight_map": weight_map}, open(os.path.join(a.out, "model.safetensors.index.json"), "w"))
json.dump({"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": H, "intermediate_size": I,
           "num_hidden_layers": a.layers, "num_attention_heads": a.heads, "num_key_value_heads": a.kv_heads,
           "vocab_size": a.vocab, "max_position_embeddings": 32768, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
           "hidden_act": "silu", "tie_word_embeddings": False, "torch_dtype": "bfloat16"},
          open(os.path.join(a.out, "config.json"), "w"), indent=2)
params = sum(int(np.prod(s)) for _, s in shapes)
print(f"{params / 1e9:.2f}B parameters, {params * 2 / 2**30:.2f} GiB BF16 in {len(shards)} shards, "
      f"{params * 4 / 2**30:.2f} GiB as F32")
