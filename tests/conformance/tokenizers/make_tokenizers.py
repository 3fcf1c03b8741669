#!/usr/bin/env python3
"""Write the tokenizer files the tok-count tests use, derived from the CodeBERT
vocab.json + merges.txt shipped in configs/tokenizers/codebert-base and the
definitions of the formats.  Standard library only.

usage: make_tokenizers.py CONFIGS_DIR OUT_DIR

Writes into OUT_DIR:
  gpt2/encoder.json, gpt2/vocab.bpe  OpenAI's GPT-2 files: ids 0..255 are the
                       byte-level characters in bytes_to_unicode order, merge i
                       makes id 256+i, <|endoftext|> is 50256 (the published
                       encoder.json is exactly this)
  gpt2.json, roberta.json  Hugging Face tokenizer.json files as transformers'
                       GPT2Converter / RobertaConverter build them
  tiktoken/r50k_base.tiktoken, tiktoken/p50k_base.tiktoken  tiktoken rank files
                       (tok-count checks them against the SHA-256 tiktoken pins)
  variants/<name>.json  tokenizer.json files exercising the pre-tokenizers,
                       added-token options and post-processors tok-count supports
"""
import base64
import copy
import json
import os
import sys

CL100K = ("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
          "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+")


def bytes_to_unicode():
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return bs, dict(zip(bs, map(chr, cs)))


def added(id_, content, lstrip=False, rstrip=False, single_word=False, normalized=False,
          special=True):
    return {"id": id_, "content": content, "single_word": single_word, "lstrip": lstrip,
            "rstrip": rstrip, "normalized": normalized, "special": special}


def bytelevel(prefix=False, use_regex=True):
    return {"type": "ByteLevel", "add_prefix_space": prefix, "trim_offsets": True,
            "use_regex": use_regex}


def tokenizer(vocab, merges, added_tokens, post, pre=None):
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": added_tokens, "normalizer": None,
        "pre_tokenizer": pre or bytelevel(),
        "post_processor": post,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": "", "end_of_word_suffix": "",
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }


def split(pattern, behavior, invert=False, kind="Regex"):
    return {"type": "Split", "pattern": {kind: pattern}, "behavior": behavior,
            "invert": invert}


def seq(*steps):
    return {"type": "Sequence", "pretokenizers": list(steps)}


def variants(g, r):
    """name -> (tokenizer.json, add_special)"""
    v = {}
    t = copy.deepcopy(g)
    t["pre_tokenizer"] = bytelevel(prefix=True)
    v["gpt2-prefix-space"] = (t, False)
    t = copy.deepcopy(g)
    t["pre_tokenizer"] = seq(split(CL100K, "Isolated"), bytelevel(use_regex=False))
    t["model"]["ignore_merges"] = True
    v["gpt2-split-cl100k-ignore-merges"] = (t, False)
    t = copy.deepcopy(g)
    t["pre_tokenizer"] = seq({"type": "Digits", "individual_digits": True}, bytelevel())
    v["gpt2-digits"] = (t, False)
    t = copy.deepcopy(g)
    t["pre_tokenizer"] = seq({"type": "Digits", "individual_digits": False},
                             bytelevel(prefix=True, use_regex=False))
    v["gpt2-digits-runs-prefix"] = (t, False)
    for name, step in [
            ("merged-previous", split("\\s+", "MergedWithPrevious")),
            ("merged-next", split(" ", "MergedWithNext", kind="String")),
            ("contiguous", split("\\p{P}", "Contiguous")),
            ("removed", split("\\s+", "Removed")),
            ("invert", split("\\w+|[^\\w\\s]+", "Removed", invert=True)),
            ("literal-isolated", split("::", "Isolated", kind="String"))]:
        t = copy.deepcopy(g)
        t["pre_tokenizer"] = seq(step, bytelevel(use_regex=False))
        v["gpt2-split-" + name] = (t, False)
    t = copy.deepcopy(g)
    t["added_tokens"] = g["added_tokens"] + [
        added(50257, "<mask>", lstrip=True, rstrip=True),
        added(50258, "zzqx", single_word=True, normalized=True, special=False),
        added(15496, "Hello", rstrip=True, special=False),
        added(50259, "TODO", normalized=True, special=False),
        added(50260, "<|endoftext|><|endoftext|>", normalized=False),
    ]
    v["gpt2-added-tokens"] = (t, False)
    t = copy.deepcopy(g)
    eot = {"id": "<|endoftext|>", "ids": [50256], "tokens": ["<|endoftext|>"]}
    t["post_processor"] = {"type": "Sequence", "processors": [
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
         "use_regex": True},
        {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}},
                    {"Sequence": {"id": "A", "type_id": 0}},
                    {"SpecialToken": {"id": "<|endoftext|>", "type_id": 0}}],
         "pair": [{"Sequence": {"id": "A", "type_id": 0}},
                  {"Sequence": {"id": "B", "type_id": 1}}],
         "special_tokens": {"<|endoftext|>": eot}}]}
    v["gpt2-template"] = (t, True)
    t = copy.deepcopy(g)
    t["model"]["merges"] = [m.split(" ") for m in g["model"]["merges"]]
    v["gpt2-merges-as-pairs"] = (t, False)
    t = copy.deepcopy(r)
    t["post_processor"] = {"type": "BertProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0]}
    v["roberta-bert-processing"] = (t, True)
    return v


def main():
    configs, out = sys.argv[1], sys.argv[2]
    cb = os.path.join(configs, "tokenizers", "codebert-base")
    with open(os.path.join(cb, "vocab.json"), encoding="utf-8") as f:
        rvocab = json.load(f)
    with open(os.path.join(cb, "merges.txt"), encoding="utf-8") as f:
        mtext = f.read()
    merges = [l for l in mtext.split("\n")[1:] if l]
    bs, b2u = bytes_to_unicode()
    enc = {b2u[b]: i for i, b in enumerate(bs)}
    for i, m in enumerate(merges):
        a, b = m.split(" ")
        enc[a + b] = 256 + i
    enc["<|endoftext|>"] = 50256
    assert len(enc) == 50257

    os.makedirs(os.path.join(out, "gpt2"), exist_ok=True)
    os.makedirs(os.path.join(out, "tiktoken"), exist_ok=True)
    os.makedirs(os.path.join(out, "variants"), exist_ok=True)
    with open(os.path.join(out, "gpt2", "encoder.json"), "w", encoding="utf-8") as f:
        json.dump(enc, f, ensure_ascii=False)
    with open(os.path.join(out, "gpt2", "vocab.bpe"), "w", encoding="utf-8") as f:
        f.write(mtext)

    g = tokenizer(enc, merges, [added(50256, "<|endoftext|>", normalized=True)],
                  {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False,
                   "use_regex": True})
    r = tokenizer(rvocab, merges,
                  [added(0, "<s>"), added(1, "<pad>"), added(2, "</s>"), added(3, "<unk>"),
                   added(50264, "<mask>", lstrip=True)],
                  {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0],
                   "trim_offsets": True, "add_prefix_space": False})
    for name, obj in [("gpt2.json", g), ("roberta.json", r)]:
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False)

    u2b = {c: b for b, c in b2u.items()}
    lines = []
    for tok, i in sorted(enc.items(), key=lambda x: x[1]):
        if tok != "<|endoftext|>":
            lines.append(base64.b64encode(bytes(u2b[c] for c in tok)).decode() + " %d\n" % i)
    r50k = "".join(lines)
    p50k = r50k + "".join(base64.b64encode(b" " * k).decode() + " %d\n" % (50255 + k)
                          for k in range(2, 26))
    for name, text in [("r50k_base", r50k), ("p50k_base", p50k)]:
        with open(os.path.join(out, "tiktoken", name + ".tiktoken"), "w") as f:
            f.write(text)

    for name, (obj, add_special) in sorted(variants(g, r).items()):
        with open(os.path.join(out, "variants", name + ".json"), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False)
        if add_special:
            open(os.path.join(out, "variants", name + ".add-special"), "w").close()


if __name__ == "__main__":
    main()
