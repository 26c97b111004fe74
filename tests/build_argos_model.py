"""Build a tiny but genuine Argos Translate package (.argosmodel) for tests.

    python tests/build_argos_model.py OUT.argosmodel [--from en] [--to zh]

The package has everything a real one has: a SentencePiece model trained on a
few sentences, a CTranslate2 Transformer (one encoder and one decoder layer,
seeded random weights), a spaCy sentence splitter and a ``metadata.json``,
zipped under one folder. Its
translations are nonsense, which is what exercises the output guard; loading,
tokenizing, batching and decoding are the real code paths.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import transformer_spec

# Training text for the tokenizer: English from the client's articles, and
# Chinese of the same kind, so both sides have real pieces.
SENTENCES = [
    "Stem cell therapy offers hope for chronic pain.",
    "Mesenchymal stem cells reduce inflammation in the joint.",
    "Osteoarthritis damages the cartilage that cushions the joints.",
    "Patients report less pain and better mobility after treatment.",
    "Contact us by e-mail or WhatsApp with your questions.",
    "Platelet-rich plasma is often used with stem cell therapy.",
    "Bone marrow and adipose tissue are sources of stem cells.",
    "More clinical trials are needed to confirm long-term results.",
    "干细胞疗法为慢性疼痛带来希望。",
    "间充质干细胞可以减轻关节炎症。",
    "骨关节炎会损伤保护关节的软骨。",
    "患者在治疗后疼痛减轻，活动能力提高。",
    "如有问题，请通过电子邮件或WhatsApp联系我们。",
    "富血小板血浆常与干细胞疗法一起使用。",
    "骨髓和脂肪组织是干细胞的来源。",
    "需要更多临床试验来确认长期效果。",
]
D_MODEL, HEADS, FFN = 32, 2, 64


def train_sentencepiece(folder: Path) -> Path:
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(SENTENCES * 4) + "\n", encoding="utf-8")
    prefix = folder / "sentencepiece"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=160,
        character_coverage=1.0,
        model_type="unigram",
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=1,
    )
    return prefix.with_suffix(".model")


def _shape(name: str, vocab: int) -> tuple[int, ...]:
    d = D_MODEL
    if "embeddings" in name or name.startswith("decoder/projection"):
        return (vocab, d)
    if name.endswith(("gamma", "beta")):
        return (d,)
    if "self_attention/linear_0" in name:
        return (3 * d, d)
    if "/attention/linear_1" in name:  # cross-attention: keys and values together
        return (2 * d, d)
    if "ffn/linear_0" in name:
        return (FFN, d)
    if "ffn/linear_1" in name:
        return (d, FFN)
    return (d, d)


def build_ctranslate2_model(vocabulary: list[str], out: Path, seed: int = 7) -> None:
    spec = transformer_spec.TransformerSpec.from_config((1, 1), HEADS)
    rng = np.random.default_rng(seed)
    missing: list[tuple[object, str, str]] = []

    def collect(owner, name, value) -> None:
        if value is None:
            missing.append((owner, name.rsplit("/", 1)[-1], name))

    spec._visit(collect)  # CTranslate2's own walk over every variable of the spec
    for owner, attribute, name in missing:
        shape = _shape(name, len(vocabulary))
        if name.endswith("gamma"):
            value = np.ones(shape, dtype=np.float32)
        elif name.endswith("beta"):
            value = np.zeros(shape, dtype=np.float32)
        else:
            value = rng.normal(0, 0.5, shape).astype(np.float32)
        setattr(owner, attribute, value)
    spec.register_source_vocabulary(vocabulary)
    spec.register_target_vocabulary(vocabulary)
    spec.validate()
    spec.optimize(quantization=None)
    out.mkdir(parents=True, exist_ok=True)
    spec.save(str(out))


def build_sentencizer(out: Path, language: str) -> None:
    """A blank spaCy pipeline, to which argostranslate's own ``translate()`` adds its
    rule-based sentencizer when run with ARGOS_CHUNK_TYPE=SPACY (its default
    splitters download their models, which cannot happen offline)."""
    import spacy

    spacy.blank(language).to_disk(out)


def build_package(out: Path, source: str = "en", target: str = "zh") -> Path:
    random.seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        name = f"translate-{source}_{target}-0_1"
        package = work / name
        package.mkdir()
        sp_model = train_sentencepiece(work)
        (package / "sentencepiece.model").write_bytes(sp_model.read_bytes())
        processor = spm.SentencePieceProcessor(model_file=str(sp_model))
        vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
        build_ctranslate2_model(vocabulary, package / "model")
        build_sentencizer(package / "spacy", source)
        metadata = {
            "package_version": "0.1",
            "argos_version": "1.9.0",
            "from_code": source,
            "from_name": source,
            "to_code": target,
            "to_name": target,
            "type": "translate",
            "languages": [],
        }
        (package / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
        (package / "README.md").write_text("Test model: random weights, nonsense output.\n")
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(package.rglob("*")):
                info = zipfile.ZipInfo(str(path.relative_to(work)), date_time=(2020, 1, 1, 0, 0, 0))
                if path.is_file():
                    archive.writestr(info, path.read_bytes())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write the .argosmodel file")
    parser.add_argument("--from", dest="source", default="en")
    parser.add_argument("--to", dest="target", default="zh")
    args = parser.parse_args()
    print(build_package(args.out, args.source, args.target))


if __name__ == "__main__":
    main()
