#!/usr/bin/python3
"""Golden fixtures for photos as network inputs (issue #13 points 4 and 5).

Run with Debian's system interpreter (python3-torch, python3-torchvision, python3-pil):

    /usr/bin/python3 tools/golden/make_golden_photo.py

Writes tools/golden/fixtures/photo/ (see tools/golden/README.md) and
packages/image/src/imagenet-labels.ts. Deterministic (fixed seeds, PIL's libjpeg encoder).

- photo.jpg: a synthetic 320x240 picture (gradients, shapes, noise) saved by PIL (quality 90,
  4:2:0 chroma subsampling: what cameras and PIL write by default).
- photo-orientation-6.jpg: the same bytes with an EXIF APP1 segment (orientation 6: rotate 90
  degrees clockwise to display) inserted after SOI, so its stored pixels are identical.
- photo.png: an 80x60 RGB picture (lossless; exercises upsampling).
- *.pil-rgb.png: PIL's decoded RGB of each JPEG, so the TypeScript side can compare its
  preprocessing on identical decoded pixels and measure its own decoder's difference separately.
- <case>.crop.png: the uint8 image torchvision's PIL pipeline produces right before ToTensor
  (PIL's Resize output, centre-cropped). The script asserts that ToTensor + Normalize of it
  equals torchvision's transform output to 1e-6, so it encodes that tensor exactly; photo.json
  also carries sums and sampled values of the tensor itself.
- jpeg-*.jpg: small JPEGs covering what a decoder must get right to equal libjpeg-turbo:
  4:4:4, 4:2:2, 4:2:0, 4:4:0 and 4:1:1 chroma subsampling at odd sizes, progressive (colour and
  grey), greyscale, restart markers (baseline and progressive), an Adobe RGB JPEG, Adobe CMYK
  and YCCK JPEGs, and the same 4:2:0 picture under EXIF orientations 1..8. Written by PIL, or
  where PIL has no option for it by cjpeg (libjpeg-turbo-progs, Debian) or, for YCCK, a few lines
  of C against libjpeg (cc and libjpeg-dev). For each, PIL's decoded RGB
  (jpeg-*.pil-rgb.png, after exif_transpose) and torchvision's crop before ToTensor
  (jpeg-*.torchvision.crop.png; also jpeg-*.timm.crop.png for two of them).
- classify-resnet18-w4.safetensors: a seeded ResNet-18 at width 4 (float16 weights, non-trivial
  BatchNorm statistics), and photo.json "classify": torchvision's top-5 for it on photo.jpg.
"""

import io
import json
import math
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image, ImageDraw, ImageOps

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import f32, perturb_bn, resnet, round_state, save_safetensors, write_json  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "photo")
LABELS_TS = os.path.join(HERE, "..", "..", "packages", "image", "src", "imagenet-labels.ts")
GENERATOR = "tools/golden/make_golden_photo.py (torch %s, torchvision %s, Pillow %s)" % (
    torch.__version__,
    torchvision.__version__,
    Image.__version__,
)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def synthetic_picture(width, height, seed):
    """Smooth gradients, hard edges and noise: every part of the resampler and decoder matters."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 128 + 100 * np.sin(x / width * 3.1 * math.pi) * np.cos(y / height * 1.7 * math.pi)
    g = 255 * x / width * 0.6 + 60 * np.sin((x + y) / 9.0)
    b = 255 * (1 - y / height) * 0.8 + 30
    rgb = np.stack([r, g, b], axis=-1) + rng.normal(0, 12, (height, width, 3))
    image = Image.fromarray(np.clip(np.rint(rgb), 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse([width * 0.15, height * 0.2, width * 0.45, height * 0.7], fill=(250, 220, 30))
    draw.rectangle([width * 0.55, height * 0.1, width * 0.9, height * 0.35], fill=(20, 40, 200))
    draw.line([0, height - 1, width - 1, 0], fill=(255, 255, 255), width=3)
    for i in range(0, width, 16):
        draw.line([i, height * 0.8, i + 8, height * 0.95], fill=(0, 0, 0), width=2)
    return image


def exif_orientation_segment(orientation):
    """APP1 'Exif' segment, big-endian TIFF, IFD0 with one entry: Orientation (0x0112) SHORT."""
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8)
    tiff += struct.pack(">H", 1) + struct.pack(">HHI", 0x0112, 3, 1) + struct.pack(">HH", orientation, 0)
    tiff += struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def torchvision_pipeline():
    return {"kind": "torchvision", "resizeSize": 256, "cropSize": 224, "interpolation": "bilinear", "mean": IMAGENET_MEAN, "std": IMAGENET_STD}


def timm_pipeline(input_size, crop_pct, interpolation, mean, std):
    """timm.data.transforms_factory.transforms_imagenet_eval, crop_mode 'center', square size."""
    return {
        "kind": "timm",
        "resizeSize": math.floor(input_size / crop_pct),
        "cropSize": input_size,
        "interpolation": interpolation,
        "mean": mean,
        "std": std,
        "config": {"input_size": [3, input_size, input_size], "crop_pct": crop_pct, "interpolation": interpolation, "mean": mean, "std": std},
    }


INTERPOLATION = {"bilinear": T.InterpolationMode.BILINEAR, "bicubic": T.InterpolationMode.BICUBIC}


def transforms_for(p):
    resize = T.Resize(p["resizeSize"], interpolation=INTERPOLATION[p["interpolation"]])
    crop = T.CenterCrop(p["cropSize"])
    return T.Compose([resize, crop]), T.Compose([resize, crop, T.ToTensor(), T.Normalize(p["mean"], p["std"])])


def open_oriented(path):
    image = Image.open(path)
    image = ImageOps.exif_transpose(image)
    return image.convert("RGB")


def tensor_summary(t):
    flat = t.reshape(-1).double()
    idx = torch.linspace(0, flat.numel() - 1, 97).round().long()
    return {
        "shape": list(t.shape),
        "sum": float(flat.sum()),
        "sumSquares": float((flat * flat).sum()),
        "samples": [[int(i), f32(float(flat[i]))] for i in idx],
    }


def orientation_table():
    """PIL's exif_transpose of a 4x3 picture whose red channel is the pixel index, per tag."""
    w, h = 4, 3
    base = np.zeros((h, w, 3), np.uint8)
    base[..., 0] = np.arange(w * h).reshape(h, w)
    out = {}
    for tag in range(1, 9):
        image = Image.fromarray(base, "RGB")
        exif = image.getexif()
        exif[0x0112] = tag
        buffer = io.BytesIO()
        image.save(buffer, "PNG", exif=exif.tobytes())
        turned = ImageOps.exif_transpose(Image.open(io.BytesIO(buffer.getvalue())))
        arr = np.asarray(turned.convert("RGB"))
        out[str(tag)] = {"width": turned.width, "height": turned.height, "indices": arr[..., 0].reshape(-1).tolist()}
    return {"width": w, "height": h, "orientations": out}


def write_labels():
    from torchvision.models._meta import _IMAGENET_CATEGORIES as labels

    assert len(labels) == 1000 and len(set(labels)) == 1000  # torchvision made every name unique
    with open(LABELS_TS, "w") as f:
        f.write("// Generated by tools/golden/make_golden_photo.py from torchvision.models._meta._IMAGENET_CATEGORIES\n")
        f.write("// (torchvision %s). Do not edit by hand.\n\n" % torchvision.__version__)
        f.write("/** The 1000 ImageNet-1k class names in torchvision's order (index = class id). */\n")
        f.write("export const IMAGENET_LABELS: readonly string[] = [\n")
        for label in labels:
            f.write("  %s,\n" % json.dumps(label))
        f.write("];\n")
    return labels


def classify_fixture(labels, photo_path):
    torch.manual_seed(13)
    g = torch.Generator()
    g.manual_seed(13)
    model = resnet(18, width=4, num_classes=1000)
    perturb_bn(model, g)
    with torch.no_grad():
        # A wider logit spread than the default init: the top-5 margins stay far above the
        # few-levels difference between two JPEG decoders.
        model.fc.weight.copy_(torch.randn(model.fc.weight.shape, generator=g) * 0.5)
        model.fc.bias.copy_(torch.randn(model.fc.bias.shape, generator=g) * 0.5)
    model.eval()
    round_state(model, torch.float16)
    state = {k: v.to(torch.float16) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    save_safetensors(os.path.join(OUT, "classify-resnet18-w4.safetensors"), state, {"format": "pt"})
    _, transform = transforms_for(torchvision_pipeline())
    x = transform(open_oriented(photo_path)).unsqueeze(0)
    with torch.no_grad():
        logits = model.double()(x.double())[0]
    probabilities = torch.softmax(logits, 0)
    order = torch.argsort(logits, descending=True)
    top = [{"index": int(i), "label": labels[int(i)], "probability": float(probabilities[i]), "logit": float(logits[i])} for i in order[:5]]
    margins = [float(logits[order[i]] - logits[order[i + 1]]) for i in range(5)]
    return {"model": {"backbone": "resnet18", "width": 4, "numClasses": 1000}, "weights": "classify-resnet18-w4.safetensors", "top": top, "logitMargins": margins}


def run_tool(args):
    if os.path.dirname(args[0]) == "" and shutil.which(args[0]) is None:
        sys.exit("%s not found: apt-get install -y libjpeg-turbo-progs gcc libjpeg-dev" % args[0])
    subprocess.run(args, check=True)


YCCK_WRITER = r"""
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
/* ycck <width> <height> <in: raw CMYK> <out.jpg>: an Adobe YCCK JPEG (transform 2), quality 90. */
int main(int argc, char **argv) {
  int w = atoi(argv[1]), h = atoi(argv[2]);
  unsigned char *raw = malloc((size_t)w * h * 4);
  FILE *in = fopen(argv[3], "rb");
  if (fread(raw, 1, (size_t)w * h * 4, in) != (size_t)w * h * 4) return 1;
  fclose(in);
  struct jpeg_compress_struct cinfo;
  struct jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  FILE *out = fopen(argv[4], "wb");
  jpeg_stdio_dest(&cinfo, out);
  cinfo.image_width = w;
  cinfo.image_height = h;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  jpeg_set_colorspace(&cinfo, JCS_YCCK);
  jpeg_set_quality(&cinfo, 90, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = raw + (size_t)cinfo.next_scanline * w * 4;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  fclose(out);
  return 0;
}
"""


def cmyk_picture(image):
    """PIL's CMYK of `image` with K rising left to right, so every ink channel matters."""
    cmyk = np.asarray(image.convert("CMYK")).copy()
    cmyk[..., 3] = (np.arange(image.width) * 200 // max(1, image.width - 1))[None, :]
    return cmyk


def jpeg_variants():
    """(name, bytes) of each JPEG fixture; see the module docstring."""
    base = synthetic_picture(97, 75, seed=3)
    large = synthetic_picture(301, 227, seed=4)
    variants = []

    def pil_jpeg(image, **options):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", **options)
        return buffer.getvalue()

    variants.append(("444", pil_jpeg(base, quality=88, subsampling=0)))
    variants.append(("422", pil_jpeg(base, quality=75, subsampling=1)))
    variants.append(("420", pil_jpeg(base, quality=92, subsampling=2)))
    variants.append(("progressive-420", pil_jpeg(large, quality=80, subsampling=2, progressive=True)))
    variants.append(("grey", pil_jpeg(base.convert("L"), quality=85)))
    variants.append(("grey-progressive", pil_jpeg(base.convert("L"), quality=70, progressive=True)))
    with tempfile.TemporaryDirectory() as tmp:
        ppm = os.path.join(tmp, "base.ppm")
        base.save(ppm)

        def cjpeg(name, args):
            out = os.path.join(tmp, name + ".jpg")
            run_tool(["cjpeg", "-quality", "85"] + args + ["-outfile", out, ppm])
            with open(out, "rb") as f:
                variants.append((name, f.read()))

        cjpeg("440", ["-sample", "1x2"])
        cjpeg("411", ["-sample", "4x1"])
        cjpeg("rgb", ["-rgb"])
        cjpeg("restart-420", ["-sample", "2x2", "-restart", "1"])
        cjpeg("restart-progressive-422", ["-sample", "2x1", "-progressive", "-restart", "2"])
        cmyk = cmyk_picture(base)
        raw = os.path.join(tmp, "base.cmyk")
        cmyk.tofile(raw)
        source = os.path.join(tmp, "ycck.c")
        writer = os.path.join(tmp, "ycck")
        with open(source, "w") as f:
            f.write(YCCK_WRITER)
        run_tool(["cc", "-O1", "-o", writer, source, "-ljpeg"])
        run_tool([writer, str(base.width), str(base.height), raw, os.path.join(tmp, "ycck.jpg")])
        with open(os.path.join(tmp, "ycck.jpg"), "rb") as f:
            ycck = f.read()
    variants.append(("cmyk", pil_jpeg(Image.fromarray(cmyk, "CMYK"), quality=90)))
    variants.append(("ycck", ycck))
    oriented = pil_jpeg(synthetic_picture(45, 61, seed=5), quality=90, subsampling=2)
    for tag in range(1, 9):
        variants.append(("orientation-%d" % tag, oriented[:2] + exif_orientation_segment(tag) + oriented[2:]))
    return variants


def jpeg_cases():
    """Writes the jpeg-* fixtures; returns their golden entries."""
    timm_bicubic = timm_pipeline(224, 0.95, "bicubic", IMAGENET_MEAN, IMAGENET_STD)
    entries = []
    for name, data in jpeg_variants():
        stem = "jpeg-" + name
        with open(os.path.join(OUT, stem + ".jpg"), "wb") as f:
            f.write(data)
        image = open_oriented(os.path.join(OUT, stem + ".jpg"))
        image.save(os.path.join(OUT, stem + ".pil-rgb.png"), "PNG", optimize=True)
        entry = {"file": stem + ".jpg", "pilRgb": stem + ".pil-rgb.png", "width": image.width, "height": image.height, "crops": {}}
        pipelines = [("torchvision", torchvision_pipeline())]
        if name in ("420", "progressive-420"):
            pipelines.append(("timm", timm_bicubic))
        for kind, pipeline in pipelines:
            crop_transform, transform = transforms_for(pipeline)
            crop_name = "%s.%s.crop.png" % (stem, kind)
            crop_transform(image).save(os.path.join(OUT, crop_name), "PNG", optimize=True)
            from_crop = T.Normalize(pipeline["mean"], pipeline["std"])(T.ToTensor()(Image.open(os.path.join(OUT, crop_name))))
            assert float((from_crop - transform(image)).abs().max()) <= 1e-6, crop_name
            entry["crops"][kind] = {"pipeline": pipeline, "crop": crop_name}
        entries.append(entry)
        print("%-32s %4d x %-4d %6d bytes" % (stem + ".jpg", image.width, image.height, len(data)))
    return entries


def main():
    os.makedirs(OUT, exist_ok=True)
    print(GENERATOR)
    labels = write_labels()

    photo = synthetic_picture(320, 240, seed=1)
    photo.save(os.path.join(OUT, "photo.jpg"), "JPEG", quality=90)
    with open(os.path.join(OUT, "photo.jpg"), "rb") as f:
        jpeg = f.read()
    with open(os.path.join(OUT, "photo-orientation-6.jpg"), "wb") as f:
        f.write(jpeg[:2] + exif_orientation_segment(6) + jpeg[2:])
    synthetic_picture(80, 60, seed=2).save(os.path.join(OUT, "photo.png"), "PNG", optimize=True)

    decoded = {}
    for name in ["photo.jpg", "photo-orientation-6.jpg"]:
        image = open_oriented(os.path.join(OUT, name))
        decoded[name] = {"width": image.width, "height": image.height}
        if name == "photo.jpg":  # the orientation variant holds the same pixels, turned
            image.save(os.path.join(OUT, "photo.pil-rgb.png"), "PNG", optimize=True)
            decoded[name]["pilRgb"] = "photo.pil-rgb.png"
    assert decoded["photo-orientation-6.jpg"]["width"] == 240

    cases = [
        ("photo-torchvision", "photo.jpg", torchvision_pipeline()),
        ("photo-timm-bicubic", "photo.jpg", timm_pipeline(224, 0.95, "bicubic", IMAGENET_MEAN, IMAGENET_STD)),
        ("orientation-torchvision", "photo-orientation-6.jpg", torchvision_pipeline()),
        ("png-timm-upsample", "photo.png", timm_pipeline(160, 0.875, "bilinear", (0.5, 0.5, 0.5), (0.5, 0.5, 0.5))),
    ]
    case_json = []
    for name, file, pipeline in cases:
        image = open_oriented(os.path.join(OUT, file))
        crop_transform, transform = transforms_for(pipeline)
        crop = crop_transform(image)
        tensor = transform(image)
        crop_name = name + ".crop.png"
        crop.save(os.path.join(OUT, crop_name), "PNG", optimize=True)
        from_crop = T.Normalize(pipeline["mean"], pipeline["std"])(T.ToTensor()(Image.open(os.path.join(OUT, crop_name))))
        assert float((from_crop - tensor).abs().max()) <= 1e-6, name
        # torchvision's tensor path (antialiased, float, no uint8 rounding) for the record
        tensor_path = T.Normalize(pipeline["mean"], pipeline["std"])(
            T.CenterCrop(pipeline["cropSize"])(
                T.Resize(pipeline["resizeSize"], interpolation=INTERPOLATION[pipeline["interpolation"]], antialias=True)(T.PILToTensor()(image).float() / 255)
            )
        )
        tensor_gap = float((tensor_path - tensor).abs().max())
        case_json.append({"name": name, "file": file, "pipeline": pipeline, "crop": crop_name, "tensor": tensor_summary(tensor)})
        print("%-26s %s resize %d crop %d %s; PIL vs tensor-path max |diff| %.4f" % (name, file, pipeline["resizeSize"], pipeline["cropSize"], pipeline["interpolation"], tensor_gap))

    classify = classify_fixture(labels, os.path.join(OUT, "photo.jpg"))
    print("classify top-5", [(t["index"], t["label"], round(t["probability"], 4)) for t in classify["top"]], "margins", [round(m, 4) for m in classify["logitMargins"]])
    write_json(
        os.path.join(OUT, "photo.json"),
        {"generator": GENERATOR, "decoded": decoded, "orientation": orientation_table(), "cases": case_json, "jpegCases": jpeg_cases(), "classify": classify},
    )
    for fn in sorted(os.listdir(OUT)):
        print("  %-40s %8d" % (fn, os.path.getsize(os.path.join(OUT, fn))))


if __name__ == "__main__":
    main()
