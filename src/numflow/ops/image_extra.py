"""More of `tf.image`: box ops (non-max suppression, crop_and_resize, drawing, random distorted boxes),
patch extraction, edge and similarity measures (sobel_edges, ssim), YIQ/YUV colour spaces and JPEG
helpers (header shape, cropped decoding, re-encoding at a quality).

Boxes are [y_min, x_min, y_max, x_max] rows, in normalized [0, 1] coordinates for crop_and_resize,
draw_bounding_boxes and sample_distorted_bounding_box; the suppression ops accept any coordinates and
either corner order, as TF does.

Ops with a kernel of their own: NonMaxSuppressionV5 (every single-class variant: V3's hard suppression,
V5's soft-NMS scores and padding), NonMaxSuppressionWithOverlaps, CombinedNonMaxSuppression,
CropAndResize (+ gradients for the image and the boxes), DrawBoundingBoxesV2, SampleDistortedBoundingBoxV2,
ExtractImagePatches (a linear map: its gradient op is its adjoint, and the adjoint's gradient is the op
again), ExtractJpegShape, DecodeAndCropJpeg and EncodeJpegVariableQuality. The rest are compositions of
other numflow ops, so gradients flow through them where TF has one.
"""
import heapq
import io
import math

import numpy as np

from ..backend import array_module, scatter_add
from ..framework import dtypes, errors
from ..framework.graph import convert_to_tensor, is_tensor_like, name_scope
from ..framework.op_def import OpDef, register
from ..framework.tensor_shape import TensorShape
from .common import make_op, make_tensor
from .image_ops import (_decode_jpeg, _pillow_image, convert_image_dtype, decode_jpeg,
                        pad_to_bounding_box, resize_images, ResizeMethod, transpose_image)
from .io_ops import check_scalar_string, scalar_bytes, string_scalar

__all__ = ["non_max_suppression", "non_max_suppression_v2", "non_max_suppression_with_scores",
           "non_max_suppression_padded", "non_max_suppression_overlaps", "combined_non_max_suppression",
           "crop_and_resize", "draw_bounding_boxes", "sample_distorted_bounding_box",
           "sample_distorted_bounding_box_v2", "extract_image_patches", "extract_patches", "sobel_edges",
           "ssim", "ssim_multiscale", "rgb_to_yiq", "yiq_to_rgb", "rgb_to_yuv", "yuv_to_rgb", "transpose",
           "resize_image_with_pad", "is_jpeg", "extract_jpeg_shape", "decode_and_crop_jpeg",
           "adjust_jpeg_quality", "random_jpeg_quality"]

_FLOATS = (dtypes.float16, dtypes.float32, dtypes.float64)


def _static_value(tensor):
    """A tensor's value when fully known before running (a constant, or an integer tensor numflow can
    work out statically), else None."""
    from .array import _static_value as static
    if tensor.op.type == "Const":
        return np.asarray(tensor.op.attrs["value"])
    value = static(tensor)
    if value is None or any(v is None for v in np.reshape(value, [-1])):
        return None
    return np.asarray(value.tolist())


def _require_rank(tensor, rank, what, op_type):
    if tensor.shape.ndims is not None and tensor.shape.ndims != rank:
        raise ValueError("Shape must be rank %d but is rank %d for '%s' (%s shape %s)"
                         % (rank, tensor.shape.ndims, op_type, what, tensor.shape))


def _require_float(tensor, what, op_type, allowed=_FLOATS):
    if tensor.dtype not in allowed:
        raise TypeError("Value passed to parameter '%s' of op '%s' has DataType %s not in list of allowed "
                        "values: %s" % (what, op_type, tensor.dtype.name, ", ".join(d.name for d in allowed)))


# --- non-max suppression -------------------------------------------------------------------------------
def _box_iou_rows(boxes, index, others):
    """Intersection over union of box `index` with each box in `others` (boxes in either corner order)."""
    y_lo = np.minimum(boxes[:, 0], boxes[:, 2])
    y_hi = np.maximum(boxes[:, 0], boxes[:, 2])
    x_lo = np.minimum(boxes[:, 1], boxes[:, 3])
    x_hi = np.maximum(boxes[:, 1], boxes[:, 3])
    area = (y_hi - y_lo) * (x_hi - x_lo)
    inter_h = np.maximum(np.minimum(y_hi[index], y_hi[others]) - np.maximum(y_lo[index], y_lo[others]), 0.0)
    inter_w = np.maximum(np.minimum(x_hi[index], x_hi[others]) - np.maximum(x_lo[index], x_lo[others]), 0.0)
    inter = inter_h * inter_w
    union = area[index] + area[others] - inter
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where((area[index] > 0) & (area[others] > 0), inter / np.where(union > 0, union, 1.0), 0.0)
    return iou


def _greedy_suppression(similarity, scores, max_output_size, threshold, score_threshold, soft_nms_sigma=0.0):
    """TF's greedy selection: repeatedly take the best-scoring candidate unless a selected one overlaps it
    by more than `threshold`. With soft_nms_sigma > 0, a lesser overlap decays the candidate's score by
    exp(-overlap^2 / (2 sigma)) and the candidate competes again with its new score. Returns (indices,
    scores) of the selected candidates, best first; ties go to the lower index."""
    scale = -0.5 / soft_nms_sigma if soft_nms_sigma > 0 else 0.0
    heap = [(-float(s), int(i), 0) for i, s in enumerate(scores) if s > score_threshold]
    heapq.heapify(heap)
    selected, selected_scores = [], []
    while heap and len(selected) < max_output_size:
        negative, index, checked = heapq.heappop(heap)
        score = original = -negative
        # Only boxes selected since this candidate's last check can change its score.
        newly = selected[checked:]
        suppressed = False
        if newly:
            overlaps = similarity(index, np.asarray(newly[::-1]))
            for overlap in overlaps:
                if overlap > threshold:
                    suppressed = True
                    break
                if scale:
                    score *= math.exp(scale * overlap * overlap)
                if score <= score_threshold:
                    break
        if suppressed:
            continue
        if score == original:
            selected.append(index)
            selected_scores.append(score)
        elif score > score_threshold:
            heapq.heappush(heap, (-score, index, len(selected)))
    return selected, selected_scores


def _scalar_input(value, what, op):
    value = np.asarray(value)
    if value.ndim != 0:
        raise errors.InvalidArgumentError(None, op, "%s must be 0-D, got shape %s" % (what, list(value.shape)))
    return value[()]


def _selection_outputs(op, selected, selected_scores, max_output_size, pad, score_dtype):
    count = len(selected)
    size = max_output_size if pad else count
    indices = np.zeros(size, np.int32)
    indices[:count] = selected
    out_scores = np.zeros(size, score_dtype)
    out_scores[:count] = selected_scores
    return indices, out_scores, np.int32(count)


def _selection_shape(max_output_size, pad):
    known = _static_value(max_output_size)
    return TensorShape([int(known) if pad and known is not None and known.ndim == 0 else None])


class _SuppressionOp(OpDef):
    """Shared shape rule: (selected indices int32 [M], selected scores [M], number selected int32 [])."""

    host_only = True     # greedy selection box by box in Python
    differentiable = False
    matrix_name = "boxes"

    def check_inputs(self, op):
        raise NotImplementedError

    def infer(self, op):
        self.check_inputs(op)
        scores = op.inputs[1]
        _require_rank(scores, 1, "scores", self.type)
        for tensor, what in zip(op.inputs[2:], ("max_output_size", "threshold", "score_threshold",
                                                 "soft_nms_sigma")):
            _require_rank(tensor, 0, what, self.type)
        shape = _selection_shape(op.inputs[2], op.attrs.get("pad_to_max_output_size", False))
        return [(dtypes.int32, shape), (scores.dtype, shape), (dtypes.int32, TensorShape([]))]


def _check_selection_args(op, count, scores, max_output_size, threshold, name):
    if np.shape(scores) != (count,):
        raise errors.InvalidArgumentError(None, op, "scores has incompatible shape %s: expected [%d]"
                                          % (list(np.shape(scores)), count))
    if max_output_size < 0:
        raise errors.InvalidArgumentError(None, op, "output size must be non-negative")
    if not 0 <= threshold <= 1:
        raise errors.InvalidArgumentError(None, op, "%s must be in [0, 1]" % name)


@register
class NonMaxSuppressionV5(_SuppressionOp):
    """Greedy non-max suppression of [num_boxes, 4] boxes by IoU, optionally soft (Gaussian decay)."""

    def check_inputs(self, op):
        boxes = op.inputs[0]
        _require_float(boxes, "boxes", self.type, (dtypes.float16, dtypes.float32))
        _require_rank(boxes, 2, "boxes", self.type)
        if boxes.shape.ndims == 2 and boxes.shape[1].value not in (None, 4):
            raise ValueError("Dimension must be 4 but is %d for '%s' (boxes shape %s)"
                             % (boxes.shape[1].value, self.type, boxes.shape))

    def kernel(self, op, ctx):
        pad = op.attrs["pad_to_max_output_size"]
        score_dtype = op.inputs[1].dtype.np

        def suppress(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma):
            boxes = np.asarray(boxes, np.float64)
            if boxes.ndim != 2 or boxes.shape[1] != 4:
                raise errors.InvalidArgumentError(None, op, "boxes must be of shape [num_boxes, 4], got %s"
                                                  % list(boxes.shape))
            max_output_size = int(_scalar_input(max_output_size, "max_output_size", op))
            iou_threshold = float(_scalar_input(iou_threshold, "iou_threshold", op))
            sigma = float(_scalar_input(soft_nms_sigma, "soft_nms_sigma", op))
            _check_selection_args(op, boxes.shape[0], scores, max_output_size, iou_threshold, "iou_threshold")
            if sigma < 0:
                raise errors.InvalidArgumentError(None, op, "soft_nms_sigma must be non-negative")
            selected, kept = _greedy_suppression(
                lambda i, others: _box_iou_rows(boxes, i, others), np.asarray(scores, np.float64),
                max_output_size, iou_threshold, float(_scalar_input(score_threshold, "score_threshold", op)),
                sigma)
            return _selection_outputs(op, selected, kept, max_output_size, pad, score_dtype)
        return suppress


@register
class NonMaxSuppressionWithOverlaps(_SuppressionOp):
    """Greedy non-max suppression given a precomputed [num_boxes, num_boxes] overlap matrix."""

    def check_inputs(self, op):
        overlaps = op.inputs[0]
        _require_rank(overlaps, 2, "overlaps", self.type)

    def infer(self, op):
        selected, _, _ = super().infer(op)
        return [selected]

    def kernel(self, op, ctx):
        def suppress(overlaps, scores, max_output_size, overlap_threshold, score_threshold):
            overlaps = np.asarray(overlaps, np.float64)
            if overlaps.ndim != 2 or overlaps.shape[0] != overlaps.shape[1]:
                raise errors.InvalidArgumentError(None, op, "overlaps must be square, got shape %s"
                                                  % list(overlaps.shape))
            max_output_size = int(_scalar_input(max_output_size, "max_output_size", op))
            threshold = float(_scalar_input(overlap_threshold, "overlap_threshold", op))
            _check_selection_args(op, overlaps.shape[0], scores, max_output_size, threshold, "overlap_threshold")
            selected, _ = _greedy_suppression(lambda i, others: overlaps[i, others],
                                              np.asarray(scores, np.float64), max_output_size, threshold,
                                              float(_scalar_input(score_threshold, "score_threshold", op)))
            return np.asarray(selected, np.int32)
        return suppress


def _suppression_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma=0.0):
    boxes = convert_to_tensor(boxes, name="boxes")
    scores = convert_to_tensor(scores, name="scores")
    return [boxes, scores, convert_to_tensor(max_output_size, dtype=dtypes.int32, name="max_output_size"),
            convert_to_tensor(iou_threshold, dtype=dtypes.float32, name="iou_threshold"),
            convert_to_tensor(score_threshold, dtype=dtypes.float32, name="score_threshold"),
            convert_to_tensor(soft_nms_sigma, dtype=dtypes.float32, name="soft_nms_sigma")]


def _suppress(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma, pad, name,
              scope_name):
    with name_scope(name, scope_name, [boxes, scores]) as scope:
        inputs = _suppression_inputs(boxes, scores, max_output_size, iou_threshold, score_threshold,
                                     soft_nms_sigma)
        return make_op("NonMaxSuppressionV5", inputs, {"pad_to_max_output_size": bool(pad)}, name=scope).outputs


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                        name=None):
    """`tf.image.non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
    score_threshold=-inf)`: int32 indices of at most `max_output_size` boxes ([num_boxes, 4]) chosen
    greedily by descending score, dropping boxes whose IoU with a chosen one exceeds `iou_threshold`
    and boxes scoring at most `score_threshold`."""
    return _suppress(boxes, scores, max_output_size, iou_threshold, score_threshold, 0.0, False, name,
                     "non_max_suppression")[0]


non_max_suppression_v2 = non_max_suppression


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0, name=None):
    """`tf.image.non_max_suppression_with_scores(...)`: (selected indices, their scores). With
    soft_nms_sigma > 0 (Soft-NMS, Bodla et al. 2017) overlapping boxes are not dropped but have their
    scores multiplied by exp(-iou^2 / (2 soft_nms_sigma)) and compete again."""
    indices, kept, _ = _suppress(boxes, scores, max_output_size, iou_threshold, score_threshold,
                                 soft_nms_sigma, False, name, "non_max_suppression_with_scores")
    return indices, kept


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5, score_threshold=float("-inf"),
                               pad_to_max_output_size=False, name=None, sorted_input=False,
                               canonicalized_coordinates=False, tile_size=512):
    """`tf.image.non_max_suppression_padded(...)`: (selected indices, number of valid indices). With
    pad_to_max_output_size the indices are zero-padded to `max_output_size`. `sorted_input`,
    `canonicalized_coordinates` and `tile_size` are TF's speed hints for its batched kernel and do not
    change the result; boxes must be one [num_boxes, 4] set."""
    del sorted_input, canonicalized_coordinates, tile_size
    boxes = convert_to_tensor(boxes, name="boxes")
    if boxes.shape.ndims not in (None, 2):
        raise ValueError("non_max_suppression_padded here takes one [num_boxes, 4] set of boxes, got shape %s"
                         % boxes.shape)
    indices, _, valid = _suppress(boxes, scores, max_output_size, iou_threshold, score_threshold, 0.0,
                                  pad_to_max_output_size, name, "non_max_suppression_padded")
    return indices, valid


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None):
    """`tf.image.non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
    score_threshold=-inf)`: like non_max_suppression, with box overlaps given as an [n, n] matrix."""
    with name_scope(name, "non_max_suppression_overlaps", [overlaps, scores]) as scope:
        inputs = [convert_to_tensor(overlaps, dtype=dtypes.float32, name="overlaps"),
                  convert_to_tensor(scores, dtype=dtypes.float32, name="scores"),
                  convert_to_tensor(max_output_size, dtype=dtypes.int32, name="max_output_size"),
                  convert_to_tensor(overlap_threshold, dtype=dtypes.float32, name="overlap_threshold"),
                  convert_to_tensor(score_threshold, dtype=dtypes.float32, name="score_threshold")]
        return make_tensor("NonMaxSuppressionWithOverlaps", inputs, name=scope)


@register
class CombinedNonMaxSuppression(OpDef):
    """Per-class greedy NMS over a batch, merged across classes by score and cut to max_total_size."""

    host_only = True     # greedy per-class selection in Python
    differentiable = False

    def infer(self, op):
        boxes, scores = op.inputs[:2]
        _require_float(boxes, "boxes", self.type, (dtypes.float32,))
        _require_rank(boxes, 4, "boxes", self.type)
        _require_rank(scores, 3, "scores", self.type)
        batch = boxes.shape[0] if boxes.shape.ndims == 4 else scores.shape[0] if scores.shape.ndims == 3 else None
        per_class, total = (_static_value(t) for t in op.inputs[2:4])
        detections = None
        if total is not None:
            detections = int(total)
            if op.attrs["pad_per_class"] and per_class is not None and scores.shape.ndims == 3 \
                    and scores.shape[2].value is not None:
                detections = min(detections, int(per_class) * scores.shape[2].value)
        batch = batch.value if hasattr(batch, "value") else batch
        return [(dtypes.float32, TensorShape([batch, detections, 4])),
                (dtypes.float32, TensorShape([batch, detections])),
                (dtypes.float32, TensorShape([batch, detections])), (dtypes.int32, TensorShape([batch]))]

    def kernel(self, op, ctx):
        pad_per_class, clip_boxes = op.attrs["pad_per_class"], op.attrs["clip_boxes"]

        def combined(boxes, scores, per_class, total, iou_threshold, score_threshold):
            boxes, scores = np.asarray(boxes, np.float64), np.asarray(scores, np.float64)
            per_class = int(_scalar_input(per_class, "max_output_size_per_class", op))
            total = int(_scalar_input(total, "max_total_size", op))
            iou_threshold = float(_scalar_input(iou_threshold, "iou_threshold", op))
            score_threshold = float(_scalar_input(score_threshold, "score_threshold", op))
            if boxes.ndim != 4 or boxes.shape[3] != 4 or scores.ndim != 3 or scores.shape[:2] != boxes.shape[:2]:
                raise errors.InvalidArgumentError(None, op, "boxes must be [batch, num_boxes, q, 4] and scores "
                                                  "[batch, num_boxes, num_classes], got %s and %s"
                                                  % (list(boxes.shape), list(scores.shape)))
            classes = scores.shape[2]
            if boxes.shape[2] not in (1, classes):
                raise errors.InvalidArgumentError(None, op, "third dimension of boxes must be either 1 or %d, "
                                                  "got %d" % (classes, boxes.shape[2]))
            if per_class <= 0 or total <= 0:
                raise errors.InvalidArgumentError(None, op, "max_size_per_class and max_total_size must be > 0")
            if not 0 <= iou_threshold <= 1:
                raise errors.InvalidArgumentError(None, op, "iou_threshold must be in [0, 1]")
            detections = min(total, per_class * classes) if pad_per_class else total
            batch = boxes.shape[0]
            out_boxes = np.zeros((batch, detections, 4), np.float32)
            out_scores = np.zeros((batch, detections), np.float32)
            out_classes = np.zeros((batch, detections), np.float32)
            valid = np.zeros(batch, np.int32)
            for b in range(batch):
                found = []   # (score, class, box index)
                for c in range(classes):
                    class_boxes = boxes[b, :, 0 if boxes.shape[2] == 1 else c]
                    chosen, chosen_scores = _greedy_suppression(
                        lambda i, others, cb=class_boxes: _box_iou_rows(cb, i, others), scores[b, :, c],
                        per_class, iou_threshold, score_threshold)
                    found.extend((s, c, i) for i, s in zip(chosen, chosen_scores))
                # Best first; equal scores keep class order, then selection order (a stable sort).
                found.sort(key=lambda item: -item[0])
                found = found[:detections]
                valid[b] = len(found)
                for k, (s, c, i) in enumerate(found):
                    box = boxes[b, i, 0 if boxes.shape[2] == 1 else c]
                    out_boxes[b, k] = np.clip(box, 0.0, 1.0) if clip_boxes else box
                    out_scores[b, k], out_classes[b, k] = s, c
            return out_boxes, out_scores, out_classes, valid
        return combined


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size, iou_threshold=0.5,
                                 score_threshold=float("-inf"), pad_per_class=False, clip_boxes=True, name=None):
    """`tf.image.combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size,
    ...)`: for each image of a batch, NMS within each class (boxes [batch, num_boxes, q, 4], q 1 or
    num_classes; scores [batch, num_boxes, num_classes]), merged by score. Returns (nmsed_boxes,
    nmsed_scores, nmsed_classes, valid_detections), zero-padded to max_total_size detections (with
    pad_per_class, to min(max_total_size, max_output_size_per_class * num_classes)); clip_boxes clips the
    boxes to [0, 1]."""
    with name_scope(name, "combined_non_max_suppression", [boxes, scores]) as scope:
        inputs = [convert_to_tensor(boxes, name="boxes"), convert_to_tensor(scores, name="scores"),
                  convert_to_tensor(max_output_size_per_class, dtype=dtypes.int32, name="max_output_size_per_class"),
                  convert_to_tensor(max_total_size, dtype=dtypes.int32, name="max_total_size"),
                  convert_to_tensor(iou_threshold, dtype=dtypes.float32, name="iou_threshold"),
                  convert_to_tensor(score_threshold, dtype=dtypes.float32, name="score_threshold")]
        return tuple(make_op("CombinedNonMaxSuppression", inputs,
                             {"pad_per_class": bool(pad_per_class), "clip_boxes": bool(clip_boxes)},
                             name=scope).outputs)


# --- crop_and_resize -----------------------------------------------------------------------------------
def _crop_coordinates(starts, ends, in_size, out_size):
    """Sample positions [num_boxes, out_size] in input pixels of normalized box edges, and their
    derivatives with respect to the start and end edges."""
    # Positions are computed in float32 in TF's order of operations, so that samples landing on a pixel
    # boundary fall on the same side of it as in TF.
    starts32, ends32 = starts.astype(np.float32), ends.astype(np.float32)
    last = np.float32(in_size - 1)
    if out_size > 1:
        steps = np.arange(out_size, dtype=np.float64) / (out_size - 1)
        d_start = (1.0 - steps) * (in_size - 1)
        d_end = steps * (in_size - 1)
        scale = (ends32 - starts32) * last / np.float32(out_size - 1)
        positions = starts32[:, None] * last + np.arange(out_size, dtype=np.float32)[None, :] * scale[:, None]
    else:
        d_start = d_end = np.full(1, 0.5 * (in_size - 1))
        positions = (np.float32(0.5) * (starts32 + ends32) * last)[:, None]
    return positions.astype(np.float64), d_start, d_end


def _crop_sampling(image_shape, boxes, box_ind, crop_size, op):
    """Everything a crop needs: sample positions, validity masks and interpolation taps."""
    batch, height, width, _ = image_shape
    boxes = np.asarray(boxes, np.float64)
    box_ind = np.asarray(box_ind)
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise errors.InvalidArgumentError(None, op, "boxes must be 2-D [num_boxes, 4], got %s" % list(boxes.shape))
    if box_ind.shape != (boxes.shape[0],):
        raise errors.InvalidArgumentError(None, op, "box_index has incompatible shape %s: expected [%d]"
                                          % (list(box_ind.shape), boxes.shape[0]))
    if box_ind.size and (box_ind.min() < 0 or box_ind.max() >= batch):
        raise errors.InvalidArgumentError(None, op, "box_index has values outside [0, batch_size): %s"
                                          % box_ind[(box_ind < 0) | (box_ind >= batch)][:3].tolist())
    crop_height, crop_width = crop_size
    ys, dy1, dy2 = _crop_coordinates(boxes[:, 0], boxes[:, 2], height, crop_height)
    xs, dx1, dx2 = _crop_coordinates(boxes[:, 1], boxes[:, 3], width, crop_width)
    valid = (((ys >= 0) & (ys <= height - 1))[:, :, None] & ((xs >= 0) & (xs <= width - 1))[:, None, :])
    return ys, xs, valid, (dy1, dy2, dx1, dx2)


def _bilinear_taps(positions, size):
    low = np.clip(np.floor(positions), 0, size - 1).astype(np.int64)
    high = np.clip(np.ceil(positions), 0, size - 1).astype(np.int64)
    return low, high, positions - np.floor(positions)


def _nearest(positions, size):
    # TF rounds half away from zero; positions of valid samples are non-negative.
    return np.clip(np.floor(positions + 0.5), 0, size - 1).astype(np.int64)


def _crop_size_value(op, crop_size):
    crop_size = np.asarray(crop_size).reshape(-1)
    if crop_size.shape != (2,):
        raise errors.InvalidArgumentError(None, op, "crop_size must be a 1-D tensor of 2 elements, got %s"
                                          % crop_size.tolist())
    if crop_size[0] <= 0 or crop_size[1] <= 0:
        raise errors.InvalidArgumentError(None, op, "crop dimensions must be positive, got %s" % crop_size.tolist())
    return int(crop_size[0]), int(crop_size[1])


def _check_image_4d(op, image):
    if np.ndim(image) != 4:
        raise errors.InvalidArgumentError(None, op, "input image must be 4-D, got shape %s" % list(np.shape(image)))
    if np.shape(image)[1] <= 0 or np.shape(image)[2] <= 0:
        raise errors.InvalidArgumentError(None, op, "image dimensions must be positive, got %s"
                                          % list(np.shape(image)))


def _crop_forward(image, boxes, box_ind, crop_size, method, extrapolation_value, op):
    image = np.asarray(image)
    _check_image_4d(op, image)
    ys, xs, valid, _ = _crop_sampling(image.shape, boxes, box_ind, crop_size, op)
    _, height, width, _ = image.shape
    picture = np.asarray(box_ind)[:, None, None]
    source = image.astype(np.float64)
    if method == "nearest":
        rows, cols = _nearest(ys, height), _nearest(xs, width)
        crops = source[picture, rows[:, :, None], cols[:, None, :]]
    else:
        top, bottom, y_lerp = _bilinear_taps(ys, height)
        left, right, x_lerp = _bilinear_taps(xs, width)
        x_lerp = x_lerp[:, None, :, None]

        def row(rows):
            near = source[picture, rows[:, :, None], left[:, None, :]]
            far = source[picture, rows[:, :, None], right[:, None, :]]
            return near + (far - near) * x_lerp
        upper, lower = row(top), row(bottom)
        crops = upper + (lower - upper) * y_lerp[:, :, None, None]
    return np.where(valid[..., None], crops, extrapolation_value).astype(np.float32)


def _check_crop_inputs(op_type, image, boxes, box_ind, crop_size):
    _require_rank(image, 4, "image", op_type)
    _require_rank(boxes, 2, "boxes", op_type)
    _require_rank(box_ind, 1, "box_ind", op_type)
    _require_rank(crop_size, 1, "crop_size", op_type)
    if boxes.shape.ndims == 2 and boxes.shape[1].value not in (None, 4):
        raise ValueError("Dimension must be 4 but is %d for '%s' (boxes shape %s)"
                         % (boxes.shape[1].value, op_type, boxes.shape))


def _static_crop_size(crop_size):
    known = _static_value(crop_size)
    return [None, None] if known is None else [int(v) for v in known.reshape(-1)]


_CROP_METHODS = ("bilinear", "nearest")


@register
class CropAndResize(OpDef):
    """Crops of [batch, height, width, depth] images at normalized boxes, each resized to crop_size."""

    host_only = True     # crops box by box in Python

    def infer(self, op):
        image, boxes, box_ind, crop_size = op.inputs
        _check_crop_inputs(self.type, image, boxes, box_ind, crop_size)
        if op.attrs["method"] not in _CROP_METHODS:
            raise ValueError("method must be 'bilinear' or 'nearest', got %r" % op.attrs["method"])
        if not image.dtype.is_numeric or image.dtype.is_complex:
            _require_float(image, "image", self.type)
        depth = image.shape[3] if image.shape.ndims == 4 else None
        count = boxes.shape[0] if boxes.shape.ndims == 2 else None
        return [(dtypes.float32, TensorShape([count] + _static_crop_size(crop_size) + [depth]))]

    def kernel(self, op, ctx):
        method, extrapolation = op.attrs["method"], op.attrs["extrapolation_value"]

        def crop(image, boxes, box_ind, crop_size):
            return _crop_forward(image, boxes, box_ind, _crop_size_value(op, crop_size), method, extrapolation, op)
        return crop

    def grad(self, op, dy):
        image, boxes, box_ind, _ = op.inputs
        from .array import shape
        image_grad = None
        if image.dtype.is_floating:
            image_grad = make_tensor("CropAndResizeGradImage", [dy, boxes, box_ind, shape(image)],
                                     {"T": image.dtype, "method": op.attrs["method"]})
        boxes_grad = make_tensor("CropAndResizeGradBoxes", [dy, image, boxes, box_ind], {"method": "bilinear"})
        return [image_grad, boxes_grad, None, None]


@register
class CropAndResizeGradImage(OpDef):
    """CropAndResize's gradient for its image: each crop pixel's gradient spread back onto the image
    pixels it was interpolated from."""

    host_only = True     # crops box by box in Python

    def infer(self, op):
        grads, boxes, box_ind, image_size = op.inputs
        known = _static_value(image_size)
        shape = TensorShape(None if known is None else [int(v) for v in known.reshape(-1)])
        if grads.shape.ndims == 4 and shape.ndims == 4:
            shape = TensorShape(shape.as_list()[:3] + [grads.shape[3].value if shape[3].value is None
                                                       else shape[3].value])
        return [(op.attrs["T"], shape)]

    def kernel(self, op, ctx):
        method, dtype = op.attrs["method"], op.attrs["T"].np

        def back(grads, boxes, box_ind, image_size):
            grads = np.asarray(grads, np.float64)
            image_shape = tuple(int(v) for v in np.asarray(image_size).reshape(-1))
            if len(image_shape) != 4:
                raise errors.InvalidArgumentError(None, op, "image_size must be 4 values, got %s"
                                                  % list(image_shape))
            _, height, width, _ = image_shape
            ys, xs, valid, _ = _crop_sampling(image_shape, boxes, box_ind, grads.shape[1:3], op)
            out = np.zeros(image_shape, np.float64)
            picture = np.broadcast_to(np.asarray(box_ind)[:, None, None], valid.shape)
            grads = grads * valid[..., None]

            def spread(rows, cols, weight):
                rows = np.broadcast_to(rows[:, :, None], valid.shape)
                cols = np.broadcast_to(cols[:, None, :], valid.shape)
                np.add.at(out, (picture, rows, cols), grads * weight[..., None])
            if method == "nearest":
                spread(_nearest(ys, height), _nearest(xs, width), np.ones(valid.shape))
            else:
                top, bottom, y_lerp = _bilinear_taps(ys, height)
                left, right, x_lerp = _bilinear_taps(xs, width)
                y_lerp, x_lerp = y_lerp[:, :, None], x_lerp[:, None, :]
                spread(top, left, (1 - y_lerp) * (1 - x_lerp))
                spread(top, right, (1 - y_lerp) * x_lerp)
                spread(bottom, left, y_lerp * (1 - x_lerp))
                spread(bottom, right, y_lerp * x_lerp)
            return out.astype(dtype)
        return back


@register
class CropAndResizeGradBoxes(OpDef):
    """CropAndResize's gradient for its boxes (bilinear): how each sample moves with each box edge."""

    host_only = True     # crops box by box in Python

    def infer(self, op):
        return [(dtypes.float32, op.inputs[2].shape)]

    def kernel(self, op, ctx):
        def back(grads, image, boxes, box_ind):
            grads = np.asarray(grads, np.float64)
            image = np.asarray(image, np.float64)
            _check_image_4d(op, image)
            _, height, width, _ = image.shape
            ys, xs, valid, (dy1, dy2, dx1, dx2) = _crop_sampling(image.shape, boxes, box_ind, grads.shape[1:3], op)
            picture = np.asarray(box_ind)[:, None, None]
            top, bottom, y_lerp = _bilinear_taps(ys, height)
            left, right, x_lerp = _bilinear_taps(xs, width)

            def at(rows, cols):
                return image[picture, rows[:, :, None], cols[:, None, :]]
            top_left, top_right = at(top, left), at(top, right)
            bottom_left, bottom_right = at(bottom, left), at(bottom, right)
            xl, yl = x_lerp[:, None, :, None], y_lerp[:, :, None, None]
            upper = top_left + (top_right - top_left) * xl
            lower = bottom_left + (bottom_right - bottom_left) * xl
            d_value_dy = lower - upper
            d_value_dx = (top_right - top_left) * (1 - yl) + (bottom_right - bottom_left) * yl
            grads = grads * valid[..., None]
            along_y = np.sum(grads * d_value_dy, axis=(2, 3))     # [boxes, crop_height]
            along_x = np.sum(grads * d_value_dx, axis=(1, 3))     # [boxes, crop_width]
            out = np.stack([along_y @ dy1, along_x @ dx1, along_y @ dy2, along_x @ dx2], axis=1)
            return out.astype(np.float32)
        return back


def crop_and_resize(image, boxes, box_ind=None, crop_size=None, method="bilinear", extrapolation_value=0,
                    name=None, box_indices=None):
    """`tf.image.crop_and_resize(image, boxes, box_ind, crop_size, method='bilinear',
    extrapolation_value=0)`: float32 [num_boxes, crop_height, crop_width, depth] crops of the
    [batch, height, width, depth] `image`; box i = [y1, x1, y2, x2] (normalized, y1 > y2 flips the crop)
    is taken from image box_ind[i] and sampled on a crop_size grid. Samples outside the image are
    `extrapolation_value`. Differentiable with respect to the image and (bilinear) the boxes."""
    if box_ind is None:
        box_ind = box_indices
    if box_ind is None or crop_size is None:
        raise ValueError("crop_and_resize needs box_ind (or box_indices) and crop_size")
    with name_scope(name, "CropAndResize", [image, boxes]) as scope:
        inputs = [convert_to_tensor(image, name="image"),
                  convert_to_tensor(boxes, dtype=dtypes.float32, name="boxes"),
                  convert_to_tensor(box_ind, dtype=dtypes.int32, name="box_ind"),
                  convert_to_tensor(crop_size, dtype=dtypes.int32, name="crop_size")]
        return make_tensor("CropAndResize", inputs, {"method": method, "extrapolation_value":
                                                     float(extrapolation_value)}, name=scope)


# --- drawing boxes -------------------------------------------------------------------------------------
# TF's palette for boxes drawn without colors: box i gets row i % 10.
_DEFAULT_BOX_COLORS = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1], [0.5, 0, 0.5, 1],
                                [0.5, 0.5, 0, 1], [0.5, 0, 0, 1], [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]],
                               dtype=np.float64)


@register
class DrawBoundingBoxesV2(OpDef):
    """Images with box outlines drawn in colors (one row of `colors` per box, cycling)."""

    host_only = True     # draws box by box in Python
    differentiable = False

    def infer(self, op):
        images, boxes, colors = op.inputs
        _require_float(images, "images", self.type, (dtypes.float16, dtypes.float32))
        _require_rank(images, 4, "images", self.type)
        _require_rank(boxes, 3, "boxes", self.type)
        _require_rank(colors, 2, "colors", self.type)
        return [(images.dtype, images.shape)]

    def kernel(self, op, ctx):
        def draw(images, boxes, colors):
            images = np.asarray(images)
            boxes = np.asarray(boxes, np.float64)
            colors = np.asarray(colors, np.float64)
            if images.ndim != 4:
                raise errors.InvalidArgumentError(None, op, "The rank of the images should be 4")
            batch, height, width, depth = images.shape
            if boxes.ndim != 3 or boxes.shape[0] != batch or boxes.shape[2] != 4:
                raise errors.InvalidArgumentError(None, op, "boxes must be [batch, num_boxes, 4] with batch %d, "
                                                  "got %s" % (batch, list(boxes.shape)))
            if colors.size == 0:
                colors = _DEFAULT_BOX_COLORS
            if colors.shape[1] < depth:
                raise errors.InvalidArgumentError(None, op, "Channel depth should be less than or equal to "
                                                  "the colors' channels (%d), got %d" % (colors.shape[1], depth))
            out = images.copy()
            for b in range(batch):
                for i, box in enumerate(boxes[b]):
                    color = colors[i % len(colors), :depth].astype(images.dtype)
                    _outline(out[b], box, color, height, width)
            return out
        return draw


def _outline(image, box, color, height, width):
    """Draws one box edge by edge: an edge outside the image is not drawn, the others are clamped."""
    # Pixel positions truncate toward zero (TF casts them to integers), so -0.5 is row 0.
    top, bottom = (int(v * (height - 1)) for v in (box[0], box[2]))
    left, right = (int(v * (width - 1)) for v in (box[1], box[3]))
    if top > bottom or left > right or top >= height or left >= width or bottom < 0 or right < 0:
        return
    rows = slice(max(top, 0), min(bottom, height - 1) + 1)
    cols = slice(max(left, 0), min(right, width - 1) + 1)
    if top >= 0:
        image[top, cols] = color
    if bottom < height:
        image[bottom, cols] = color
    if left >= 0:
        image[rows, left] = color
    if right < width:
        image[rows, right] = color


def draw_bounding_boxes(images, boxes, name=None, colors=None):
    """`tf.image.draw_bounding_boxes(images, boxes, name=None, colors=None)`: float [batch, height,
    width, depth] images with the one-pixel outlines of boxes ([batch, num_boxes, 4], normalized
    [y_min, x_min, y_max, x_max]) drawn in; box i takes colors[i % len(colors)] (RGBA rows; TF's
    ten-colour palette when None). Later boxes draw over earlier ones."""
    with name_scope(name, "draw_bounding_boxes", [images, boxes]) as scope:
        images = convert_to_tensor(images, name="images")
        boxes = convert_to_tensor(boxes, dtype=dtypes.float32, name="boxes")
        colors = convert_to_tensor(np.zeros((0, 4), np.float32) if colors is None else colors,
                                   dtype=dtypes.float32, name="colors")
        return make_tensor("DrawBoundingBoxesV2", [images, boxes, colors], name=scope)


# --- sample_distorted_bounding_box ---------------------------------------------------------------------
@register
class SampleDistortedBoundingBoxV2(OpDef):
    """A random crop of an image (begin, size, box) that covers enough of one of the given boxes."""

    host_only = True     # rejection sampling with the op's host random generator
    stateful = True
    differentiable = False
    foldable = False

    def infer(self, op):
        image_size, boxes, _ = op.inputs
        _require_rank(image_size, 1, "image_size", self.type)
        _require_rank(boxes, 3, "bounding_boxes", self.type)
        if image_size.dtype not in (dtypes.uint8, dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64):
            raise TypeError("Value passed to parameter 'image_size' has DataType %s not in list of allowed "
                            "values: uint8, int8, int16, int32, int64" % image_size.dtype.name)
        return [(image_size.dtype, TensorShape([3])), (image_size.dtype, TensorShape([3])),
                (dtypes.float32, TensorShape([1, 1, 4]))]

    def kernel(self, op, ctx):
        rng = ctx.random_generator(op)
        attrs = op.attrs
        dtype = op.inputs[0].dtype.np

        def sample(image_size, boxes, min_object_covered):
            image_size = np.asarray(image_size).reshape(-1)
            if image_size.shape != (3,):
                raise errors.InvalidArgumentError(None, op, "image_size must be 1-dimensional with 3 elements "
                                                  "[height, width, channels], got %s" % image_size.tolist())
            height, width = int(image_size[0]), int(image_size[1])
            if height <= 0 or width <= 0:
                raise errors.InvalidArgumentError(None, op, "image height and width must be positive, got %d x %d"
                                                  % (height, width))
            boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
            if boxes.size == 0:
                if not attrs["use_image_if_no_bounding_boxes"]:
                    raise errors.InvalidArgumentError(None, op, "No bounding boxes provided as input. One must "
                                                      "enable use_image_if_no_bounding_boxes if you wish to not "
                                                      "provide any bounding boxes.")
                boxes = np.array([[0.0, 0.0, 1.0, 1.0]])
            if np.any(boxes < 0) or np.any(boxes > 1):
                raise errors.InvalidArgumentError(None, op, "All bounding box coordinates must be in [0.0, 1.0]: "
                                                  "%s" % boxes[np.any((boxes < 0) | (boxes > 1), axis=1)][0].tolist())
            covered = float(_scalar_input(min_object_covered, "min_object_covered", op))
            crop = _sample_crop(rng, height, width, boxes, covered, attrs["aspect_ratio_range"],
                                attrs["area_range"], attrs["max_attempts"])
            y, x, crop_height, crop_width = crop
            begin = np.array([y, x, 0], dtype)
            size = np.array([crop_height, crop_width, -1], dtype)
            box = np.array([[[y / height, x / width, (y + crop_height) / height, (x + crop_width) / width]]],
                           np.float32)
            return begin, size, box
        return sample


def _sample_crop(rng, height, width, boxes, min_covered, aspect_ratio_range, area_range, max_attempts):
    """TF's rejection sampling: up to max_attempts tries of a random aspect ratio, height and offset; a
    try is kept when its area fraction lies in area_range and it covers at least `min_covered` of some
    box. (y, x, h, w); the whole image when every try fails."""
    min_ratio, max_ratio = aspect_ratio_range
    min_area, max_area = area_range[0] * height * width, area_range[1] * height * width
    tops, lefts = boxes[:, 0] * height, boxes[:, 1] * width
    bottoms, rights = boxes[:, 2] * height, boxes[:, 3] * width
    box_areas = (bottoms - tops) * (rights - lefts)
    for _ in range(max_attempts):
        ratio = rng.uniform(min_ratio, max_ratio)
        # The smallest and largest heights whose area h * round(h * ratio) can lie in the area range.
        low = max(1, int(math.ceil(math.sqrt(min_area / ratio))))
        high = min(int(math.floor(math.sqrt(max_area / ratio))), height, int(math.floor((width + 0.5) / ratio)))
        if low > high:
            continue
        crop_height = int(rng.integers(low, high + 1))
        crop_width = int(round(crop_height * ratio))
        area = crop_height * crop_width
        if crop_width <= 0 or crop_width > width or not min_area <= area <= max_area:
            continue
        y = int(rng.integers(0, height - crop_height + 1))
        x = int(rng.integers(0, width - crop_width + 1))
        inter = (np.maximum(0.0, np.minimum(y + crop_height, bottoms) - np.maximum(y, tops)) *
                 np.maximum(0.0, np.minimum(x + crop_width, rights) - np.maximum(x, lefts)))
        with np.errstate(divide="ignore", invalid="ignore"):
            coverage = np.where(box_areas > 0, inter / np.where(box_areas > 0, box_areas, 1.0), 0.0)
        if not np.any(coverage >= min_covered):
            continue
        return y, x, crop_height, crop_width
    return 0, 0, height, width


def sample_distorted_bounding_box_v2(image_size, bounding_boxes, seed=0, min_object_covered=0.1,
                                     aspect_ratio_range=None, area_range=None, max_attempts=None,
                                     use_image_if_no_bounding_boxes=None, name=None):
    """`tf.image.sample_distorted_bounding_box` (TF 2 form): (begin, size, bboxes) of a random crop of an
    image of `image_size` [height, width, channels]; the crop's aspect ratio lies in
    aspect_ratio_range (default (0.75, 1.33)), its area fraction in area_range (default (0.05, 1)), and
    it covers at least `min_object_covered` of one of `bounding_boxes` ([batch, N, 4], normalized).
    Feed begin and size to tf.slice. After max_attempts (default 100) failures: the whole image."""
    from .random import get_seed
    with name_scope(name, "sample_distorted_bounding_box", [image_size, bounding_boxes]) as scope:
        image_size = convert_to_tensor(image_size, name="image_size")
        if image_size.dtype is dtypes.float32:
            raise TypeError("image_size must be an integer tensor, got float32")
        boxes = convert_to_tensor(bounding_boxes, dtype=dtypes.float32, name="bounding_boxes")
        covered = convert_to_tensor(min_object_covered, dtype=dtypes.float32, name="min_object_covered")
        ratio = tuple(float(v) for v in (aspect_ratio_range or (0.75, 1.33)))
        area = tuple(float(v) for v in (area_range or (0.05, 1.0)))
        if len(ratio) != 2 or ratio[0] <= 0 or ratio[0] > ratio[1]:
            raise ValueError("aspect_ratio_range must be two positive floats, low <= high, got %s" % (ratio,))
        if len(area) != 2 or not 0 < area[0] <= area[1] <= 1:
            raise ValueError("area_range must be two floats in (0, 1], low <= high, got %s" % (area,))
        attempts = 100 if max_attempts is None else int(max_attempts)
        if attempts <= 0:
            raise ValueError("max_attempts must be positive, got %d" % attempts)
        seed1, seed2 = get_seed(seed or None)
        attrs = {"seed": seed1, "seed2": seed2, "aspect_ratio_range": ratio, "area_range": area,
                 "max_attempts": attempts, "use_image_if_no_bounding_boxes": bool(use_image_if_no_bounding_boxes)}
        return tuple(make_op("SampleDistortedBoundingBoxV2", [image_size, boxes, covered], attrs,
                             name=scope).outputs)


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=None, seed2=None, min_object_covered=0.1,
                                  aspect_ratio_range=None, area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """`tf.image.sample_distorted_bounding_box(image_size, bounding_boxes, seed=None, seed2=None,
    min_object_covered=0.1, ...)` (TF 1 form, `seed2` accepted and folded into the op seed): see
    sample_distorted_bounding_box_v2."""
    combined = seed if seed2 is None else (seed or 0) * 7919 + seed2
    return sample_distorted_bounding_box_v2(image_size, bounding_boxes, combined, min_object_covered,
                                            aspect_ratio_range, area_range, max_attempts,
                                            use_image_if_no_bounding_boxes, name)


# --- patches -------------------------------------------------------------------------------------------
def _window_list(values, what):
    values = [int(v) for v in values]
    if len(values) != 4 or values[0] != 1 or values[3] != 1:
        raise ValueError("%s must be [1, %s_rows, %s_cols, 1], got %s" % (what, what, what, values))
    if values[1] <= 0 or values[2] <= 0:
        raise ValueError("%s must be positive, got %s" % (what, values))
    return values[1], values[2]


def _patch_geometry(in_size, ksize, stride, rate, padding):
    """(output size, padding before) along one axis, TF's SAME/VALID rules on the dilated window."""
    effective = (ksize - 1) * rate + 1
    if padding == "VALID":
        out = max(0, (in_size - effective) // stride + 1) if in_size >= effective else 0
        return out, 0
    out = -(-in_size // stride)
    total = max(0, (out - 1) * stride + effective - in_size)
    return out, total // 2


def _patch_indices(in_size, ksize, stride, rate, padding):
    """Input positions [out, ksize] each window element reads (-1: padding)."""
    out, before = _patch_geometry(in_size, ksize, stride, rate, padding)
    positions = (np.arange(out)[:, None] * stride + np.arange(ksize)[None, :] * rate) - before
    return np.where((positions >= 0) & (positions < in_size), positions, -1)


class _PatchOp(OpDef):
    """Shared attrs of ExtractImagePatches and its adjoint."""

    def geometry(self, op, height, width, xp=np):
        (kr, kc), (sr, sc), (rr, rc) = (_window_list(op.attrs[key], key) for key in ("ksizes", "strides", "rates"))
        return (xp.asarray(_patch_indices(height, kr, sr, rr, op.attrs["padding"])),
                xp.asarray(_patch_indices(width, kc, sc, rc, op.attrs["padding"])))


def _gather_patches(images, rows, cols):
    """[batch, out_r, out_c, kr * kc * depth] from images, zero where a window reads padding."""
    batch, _, _, depth = images.shape
    padded = np.pad(images, [(0, 0), (0, 1), (0, 1), (0, 0)])     # index -1 reads the zero row/column
    windows = padded[:, rows[:, None, :, None], cols[None, :, None, :], :]   # [b, or, oc, kr, kc, d]
    return windows.reshape(batch, rows.shape[0], cols.shape[0], -1)


def _scatter_patches(patches, image_shape, rows, cols):
    batch, height, width, depth = image_shape
    windows = patches.reshape(batch, rows.shape[0], cols.shape[0], rows.shape[1], cols.shape[1], depth)
    out = array_module(patches).zeros((batch, height + 1, width + 1, depth), patches.dtype)
    row_index = np.broadcast_to(rows[:, None, :, None], windows.shape[1:5])
    col_index = np.broadcast_to(cols[None, :, None, :], windows.shape[1:5])
    scatter_add(out, (slice(None), row_index, col_index), windows)
    return out[:, :height, :width]


@register
class ExtractImagePatches(_PatchOp):
    """Every ksizes window (strided, dilated by rates) of [batch, rows, cols, depth] images, flattened
    into the depth dimension in (row, column, channel) order."""

    def infer(self, op):
        images = op.inputs[0]
        _require_rank(images, 4, "images", self.type)
        if op.attrs["padding"] not in ("SAME", "VALID"):
            raise ValueError("padding must be 'SAME' or 'VALID', got %r" % op.attrs["padding"])
        (kr, kc), (sr, sc), (rr, rc) = (_window_list(op.attrs[key], key) for key in ("ksizes", "strides", "rates"))
        if images.shape.ndims != 4:
            return [(images.dtype, TensorShape([None, None, None, None]))]
        batch, height, width, depth = images.shape.as_list()
        rows = None if height is None else _patch_geometry(height, kr, sr, rr, op.attrs["padding"])[0]
        cols = None if width is None else _patch_geometry(width, kc, sc, rc, op.attrs["padding"])[0]
        return [(images.dtype, TensorShape([batch, rows, cols, None if depth is None else kr * kc * depth]))]

    def kernel(self, op, ctx):
        xp = ctx.xp

        def extract(images):
            rows, cols = self.geometry(op, images.shape[1], images.shape[2], xp)
            return _gather_patches(images, rows, cols)
        return extract

    def grad(self, op, dy):
        from .array import shape
        return [make_tensor("ExtractImagePatchesAdjoint", [dy, shape(op.inputs[0])], dict(op.attrs))]


@register
class ExtractImagePatchesAdjoint(_PatchOp):
    """The adjoint (transpose) of ExtractImagePatches: patch values summed back onto the image positions
    they were read from; ExtractImagePatches' gradient."""

    def infer(self, op):
        patches, image_shape = op.inputs
        known = _static_value(image_shape)
        return [(patches.dtype, TensorShape(None if known is None else [int(v) for v in known.reshape(-1)]))]

    host_inputs = (1,)

    def kernel(self, op, ctx):
        xp = ctx.xp

        def adjoint(patches, image_shape):
            image_shape = tuple(int(v) for v in np.asarray(image_shape).reshape(-1))
            rows, cols = self.geometry(op, image_shape[1], image_shape[2], xp)
            return _scatter_patches(patches, image_shape, rows, cols)
        return adjoint

    def grad(self, op, dy):
        return [make_tensor("ExtractImagePatches", [dy], dict(op.attrs)), None]


def extract_patches(images, sizes, strides, rates, padding, name=None):
    """`tf.image.extract_patches(images, sizes, strides, rates, padding)`: the [1, rows, cols, 1] windows
    of 4-D `images` taken every `strides` pixels, dilated by `rates`, each flattened into the last
    dimension: [batch, out_rows, out_cols, rows * cols * depth]; 'SAME' pads with zeros."""
    images = convert_to_tensor(images, name="images")
    attrs = {"ksizes": [int(v) for v in sizes], "strides": [int(v) for v in strides],
             "rates": [int(v) for v in rates], "padding": padding}
    return make_tensor("ExtractImagePatches", [images], attrs, name=name or "ExtractImagePatches")


def extract_image_patches(images, ksizes=None, strides=None, rates=None, padding=None, name=None, sizes=None):
    """`tf.image.extract_image_patches(images, ksizes, strides, rates, padding)` (TF 1 spelling of
    extract_patches; `sizes` is accepted for `ksizes`)."""
    ksizes = ksizes if ksizes is not None else sizes
    if ksizes is None or strides is None or rates is None or padding is None:
        raise ValueError("extract_image_patches needs ksizes, strides, rates and padding")
    return extract_patches(images, ksizes, strides, rates, padding, name)


# --- edges and image similarity ------------------------------------------------------------------------
def sobel_edges(image):
    """`tf.image.sobel_edges(image)`: [batch, height, width, depth, 2] Sobel responses of a 4-D float
    image, the vertical gradient ([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]) then the horizontal one, with
    the image reflected at its borders."""
    from .array import pad, stack
    with name_scope(None, "sobel_edges", [image]):
        image = convert_to_tensor(image, name="image")
        if image.shape.ndims != 4:
            raise ValueError("sobel_edges expects a 4-D [batch, height, width, depth] image, got shape %s"
                             % image.shape)
        padded = pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
        height, width = (d if d is not None else -1 for d in image.shape.as_list()[1:3])

        def window(dy, dx):
            # padded[y + dy, x + dx] for every output pixel (y, x).
            return padded[:, dy:dy + height if height >= 0 else (dy - 2 or None),
                          dx:dx + width if width >= 0 else (dx - 2 or None)]
        weights = [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
        terms_y = [window(r, c) * float(weights[r][c]) for r in (0, 2) for c in range(3)]
        terms_x = [window(r, c) * float(weights[c][r]) for r in range(3) for c in (0, 2)]
        from .math import add_n
        return stack([add_n(terms_y), add_n(terms_x)], axis=-1)


def _gaussian_window(size, sigma):
    coords = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    profile = np.exp(-coords ** 2 / (2.0 * sigma ** 2))
    window = np.outer(profile, profile)
    return window / window.sum()


def _ssim_parts(img1, img2, max_val, filter_size, filter_sigma, k1, k2):
    """(luminance * contrast-structure map, contrast-structure map), each [..., h', w', depth], of two
    float32 images, with local statistics weighted by a Gaussian window (VALID borders)."""
    from .array import reshape, shape, concat
    from .conv import depthwise_conv2d
    depth = img1.shape[-1].value
    if depth is None:
        raise ValueError("ssim needs the images' channel count statically, got shape %s" % img1.shape)
    window = _gaussian_window(filter_size, filter_sigma).astype(np.float32)
    kernel = np.tile(window[:, :, None, None], [1, 1, depth, 1])
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    outer = shape(img1)[:-3]
    rank = img1.shape.ndims

    def local_mean(values):
        flat = reshape(values, concat([[-1], shape(values)[-3:]], 0)) if rank != 4 else values
        filtered = depthwise_conv2d(flat, kernel, [1, 1, 1, 1], "VALID")
        return reshape(filtered, concat([outer, shape(filtered)[1:]], 0)) if rank != 4 else filtered
    mean1, mean2 = local_mean(img1), local_mean(img2)
    numerator0 = mean1 * mean2 * 2.0
    denominator0 = mean1 * mean1 + mean2 * mean2
    luminance = (numerator0 + c1) / (denominator0 + c1)
    numerator1 = local_mean(img1 * img2) * 2.0
    denominator1 = local_mean(img1 * img1 + img2 * img2)
    contrast_structure = (numerator1 - numerator0 + c2) / (denominator1 - denominator0 + c2)
    return luminance * contrast_structure, contrast_structure


def _ssim_inputs(img1, img2, max_val, filter_size):
    img1 = convert_to_tensor(img1, name="img1")
    img2 = convert_to_tensor(img2, name="img2")
    if img1.dtype is not img2.dtype:
        raise TypeError("img1 and img2 must have one dtype, got %s and %s" % (img1.dtype.name, img2.dtype.name))
    if not img1.shape.is_compatible_with(img2.shape):
        raise ValueError("Shapes %s and %s are incompatible" % (img1.shape, img2.shape))
    if img1.shape.ndims is None or img1.shape.ndims < 3:
        raise ValueError("ssim needs images of rank >= 3 [..., height, width, depth], got shape %s" % img1.shape)
    for size in img1.shape.as_list()[-3:-1]:
        if size is not None and size < filter_size:
            raise ValueError("ssim: image height and width (%s) must be at least filter_size %d"
                             % (img1.shape.as_list()[-3:-1], filter_size))
    if is_tensor_like(max_val):
        raise TypeError("ssim here needs max_val as a Python number (it sets the constants c1 and c2)")
    scale = 1.0 if img1.dtype.is_floating else 1.0 / img1.dtype.max
    return (convert_image_dtype(img1, dtypes.float32), convert_image_dtype(img2, dtypes.float32),
            float(max_val) * scale)


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03, return_index_map=False):
    """`tf.image.ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03)`: the
    structural similarity (Wang et al. 2004) of two batches of images [..., height, width, depth],
    averaged over each image: local means, variances and covariance weighted by a Gaussian window
    (size filter_size, sigma filter_sigma, no padding), c1 = (k1 max_val)^2, c2 = (k2 max_val)^2.
    With return_index_map, the per-pixel map averaged over channels only."""
    from .math import reduce_mean
    with name_scope(None, "SSIM", [img1, img2]):
        img1, img2, max_val = _ssim_inputs(img1, img2, max_val, filter_size)
        full, _ = _ssim_parts(img1, img2, max_val, filter_size, filter_sigma, k1, k2)
        if return_index_map:
            return reduce_mean(full, axis=-1)
        return reduce_mean(reduce_mean(full, axis=[-3, -2]), axis=-1)


_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11, filter_sigma=1.5,
                    k1=0.01, k2=0.03):
    """`tf.image.ssim_multiscale(img1, img2, max_val, power_factors=(0.0448, 0.2856, 0.3001, 0.2363,
    0.1333), ...)`: multi-scale SSIM (Wang et al. 2003): the contrast-structure term at each scale but
    the last and the full SSIM at the last, clamped at 0 and combined as a product of powers; between
    scales images are halved by 2x2 average pooling (odd sizes padded by symmetric reflection)."""
    from .array import pad, reshape, shape, concat, stack
    from .conv import avg_pool
    from .math import reduce_mean, reduce_prod, pow as pow_
    from .nn import relu
    with name_scope(None, "MS-SSIM", [img1, img2]):
        img1, img2, max_val = _ssim_inputs(img1, img2, max_val, filter_size)
        rank = img1.shape.ndims
        scores = []
        images = [img1, img2]
        for scale in range(len(power_factors)):
            if scale:
                halved = []
                for image in images:
                    heights = image.shape.as_list()[-3:-1]
                    if None in heights:
                        raise ValueError("ssim_multiscale needs static image heights and widths")
                    paddings = [[0, 0]] * (rank - 3) + [[0, heights[0] % 2], [0, heights[1] % 2], [0, 0]]
                    padded = pad(image, paddings, mode="SYMMETRIC")
                    flat = reshape(padded, concat([[-1], shape(padded)[-3:]], 0)) if rank != 4 else padded
                    pooled = avg_pool(flat, [1, 2, 2, 1], [1, 2, 2, 1], "VALID")
                    halved.append(reshape(pooled, concat([shape(image)[:-3], shape(pooled)[1:]], 0))
                                  if rank != 4 else pooled)
                images = halved
            full, contrast_structure = _ssim_parts(images[0], images[1], max_val, filter_size, filter_sigma,
                                                   k1, k2)
            kept = full if scale == len(power_factors) - 1 else contrast_structure
            scores.append(reduce_mean(kept, axis=[-3, -2]))
        stacked = relu(stack(scores, axis=-1))
        weights = np.asarray(power_factors, np.float32)
        return reduce_mean(reduce_prod(pow_(stacked, weights), axis=-1), axis=-1)


# --- colour spaces -------------------------------------------------------------------------------------
# Rows: R, G, B weights of each output component (columns); TF's published coefficients.
_RGB_TO_YIQ = np.array([[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
                        [0.114, -0.32134392, 0.31119955]])
_YIQ_TO_RGB = np.array([[1, 1, 1], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]])
_RGB_TO_YUV = np.array([[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
                        [0.114, 0.43601035, -0.10001026]])
_YUV_TO_RGB = np.array([[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]])


def _mix_channels(images, matrix, scope_name):
    from .linalg import tensordot
    with name_scope(None, scope_name, [images]):
        images = convert_to_tensor(images, name="images")
        _require_float(images, "images", scope_name)
        if images.shape.ndims is not None and images.shape[-1].value not in (None, 3):
            raise ValueError("%s expects images with 3 channels in the last dimension, got shape %s"
                             % (scope_name, images.shape))
        return tensordot(images, matrix.astype(images.dtype.np), axes=[[images.shape.ndims - 1], [0]])


def rgb_to_yiq(images):
    """`tf.image.rgb_to_yiq(images)`: float RGB (last dimension 3) as YIQ: luma in [0, 1], I in
    [-0.5957, 0.5957], Q in [-0.5226, 0.5226]."""
    return _mix_channels(images, _RGB_TO_YIQ, "rgb_to_yiq")


def yiq_to_rgb(images):
    """`tf.image.yiq_to_rgb(images)`: float YIQ (last dimension 3) as RGB."""
    return _mix_channels(images, _YIQ_TO_RGB, "yiq_to_rgb")


def rgb_to_yuv(images):
    """`tf.image.rgb_to_yuv(images)`: float RGB (last dimension 3) as YUV: luma in [0, 1], U in
    [-0.436, 0.436], V in [-0.615, 0.615]."""
    return _mix_channels(images, _RGB_TO_YUV, "rgb_to_yuv")


def yuv_to_rgb(images):
    """`tf.image.yuv_to_rgb(images)`: float YUV (last dimension 3) as RGB."""
    return _mix_channels(images, _YUV_TO_RGB, "yuv_to_rgb")


def transpose(image, name=None):
    """`tf.image.transpose(image)`: height and width swapped (3-D or 4-D); transpose_image's TF 2 name."""
    from .control import identity
    return identity(transpose_image(image), name=name or "transpose")


# --- resize_image_with_pad -----------------------------------------------------------------------------
def resize_image_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR, align_corners=False):
    """`tf.image.resize_image_with_pad(image, target_height, target_width, method=BILINEAR)`: a 3-D or
    4-D image scaled to fit [target_height, target_width] keeping its aspect ratio, then zero-padded
    evenly (the extra pixel after) to exactly that size."""
    from .image_ops import _as_batch, _dims, _unbatch
    from .math import cast, floor, maximum, truediv
    from .array import stack
    if not is_tensor_like(target_height) and target_height <= 0:
        raise ValueError("target_height must be > 0.")
    if not is_tensor_like(target_width) and target_width <= 0:
        raise ValueError("target_width must be > 0.")
    with name_scope(None, "resize_image_with_pad", [image]):
        batch, was_3d = _as_batch(image)
        _, height, width, _ = _dims(batch)

        def as_float(value):
            return cast(convert_to_tensor(value, dtype=dtypes.int32), dtypes.float32)
        ratio = maximum(truediv(as_float(width), as_float(target_width)),
                        truediv(as_float(height), as_float(target_height)))
        exact_height = truediv(as_float(height), ratio)
        exact_width = truediv(as_float(width), ratio)
        resized = resize_images(batch, stack([cast(floor(exact_height), dtypes.int32),
                                              cast(floor(exact_width), dtypes.int32)]), method, align_corners)
        # The padding splits the space left by the unrounded size, as TF does.
        pad_top = maximum(cast(floor((as_float(target_height) - exact_height) / 2.0), dtypes.int32), 0)
        pad_left = maximum(cast(floor((as_float(target_width) - exact_width) / 2.0), dtypes.int32), 0)
        padded = pad_to_bounding_box(resized, pad_top, pad_left, target_height, target_width)
        return _unbatch(padded, was_3d)


# --- JPEG helpers --------------------------------------------------------------------------------------
_JPEG_MAGIC = b"\xff\xd8\xff"


def is_jpeg(contents, name=None):
    """`tf.image.is_jpeg(contents)`: a bool scalar, whether the string starts with JPEG's SOI marker
    (it checks the first bytes, not that the data decodes)."""
    from .string_ops import substr
    from .math import equal
    with name_scope(name, "is_jpeg", [contents]) as scope:
        contents = convert_to_tensor(contents, dtype=dtypes.string, name="contents")
        return equal(substr(contents, 0, 3), _JPEG_MAGIC, name=scope)


def _jpeg_frame_shape(op, data):
    """(height, width, components) from a JPEG's start-of-frame header, without decoding the image."""
    if not data.startswith(b"\xff\xd8"):
        raise errors.InvalidArgumentError(None, op, "Not a JPEG image: the data does not start with the SOI "
                                          "marker")
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            break
        marker = data[position + 1]
        if marker == 0xFF:          # fill bytes before a marker
            position += 1
            continue
        if marker in (0x01,) or 0xD0 <= marker <= 0xD8:
            position += 2
            continue
        length = int.from_bytes(data[position + 2:position + 4], "big")
        # SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if position + 10 > len(data):
                break
            height = int.from_bytes(data[position + 5:position + 7], "big")
            width = int.from_bytes(data[position + 7:position + 9], "big")
            return height, width, data[position + 9]
        if marker == 0xDA or length < 2:
            break
        position += 2 + length
    raise errors.InvalidArgumentError(None, op, "Invalid JPEG data: no frame header (SOF marker) found in %d "
                                      "bytes" % len(data))


@register
class ExtractJpegShape(OpDef):
    """[height, width, channels] of a JPEG image from its header."""

    differentiable = False

    def infer(self, op):
        check_scalar_string(op.inputs[0], "contents", self.type)
        if op.attrs["output_type"] not in (dtypes.int32, dtypes.int64):
            raise TypeError("output_type must be int32 or int64, got %s" % op.attrs["output_type"].name)
        return [(op.attrs["output_type"], TensorShape([3]))]

    def kernel(self, op, ctx):
        dtype = op.attrs["output_type"].np
        return lambda contents: np.asarray(_jpeg_frame_shape(op, scalar_bytes(contents)), dtype)


def extract_jpeg_shape(contents, output_type=dtypes.int32, name=None):
    """`tf.image.extract_jpeg_shape(contents, output_type=tf.int32)`: [height, width, channels] of a
    JPEG-encoded scalar string, read from its header without decoding."""
    contents = convert_to_tensor(contents, dtype=dtypes.string, name="contents")
    return make_tensor("ExtractJpegShape", [contents], {"output_type": dtypes.as_dtype(output_type)},
                       name=name or "ExtractJpegShape")


@register
class DecodeAndCropJpeg(OpDef):
    """A crop window [y, x, height, width] of a decoded JPEG image."""

    differentiable = False

    def infer(self, op):
        contents, window = op.inputs
        check_scalar_string(contents, "contents", self.type)
        _require_rank(window, 1, "crop_window", self.type)
        if op.attrs["channels"] not in (0, 1, 3):
            raise ValueError("channels must be 0, 1 or 3, got %d" % op.attrs["channels"])
        known = _static_value(window)
        height = width = None
        if known is not None and known.size == 4:
            height, width = int(known[2]), int(known[3])
        return [(dtypes.uint8, TensorShape([height, width, op.attrs["channels"] or None]))]

    def kernel(self, op, ctx):
        channels, ratio = op.attrs["channels"], op.attrs["ratio"]

        def decode(contents, window):
            window = np.asarray(window).reshape(-1)
            if window.shape != (4,):
                raise errors.InvalidArgumentError(None, op, "crop_window must be [y, x, height, width], got %s"
                                                  % window.tolist())
            pixels = _decode_jpeg(op, scalar_bytes(contents), channels, ratio)
            y, x, height, width = (int(v) for v in window)
            if y < 0 or x < 0 or height <= 0 or width <= 0 or y + height > pixels.shape[0] or \
                    x + width > pixels.shape[1]:
                raise errors.InvalidArgumentError(None, op, "Invalid JPEG data or crop window: window %s does not "
                                                  "fit a %d x %d image" % (window.tolist(), pixels.shape[0],
                                                                           pixels.shape[1]))
            return np.ascontiguousarray(pixels[y:y + height, x:x + width])
        return decode


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """`tf.image.decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, ...)`: the
    [crop_height, crop_width, channels] uint8 window crop_window = [y, x, height, width] of a JPEG image
    (InvalidArgumentError when it does not fit). fancy_upscaling, try_recover_truncated,
    acceptable_fraction and dct_method are libjpeg decoding options Pillow's decoder does not take."""
    del fancy_upscaling, try_recover_truncated, acceptable_fraction, dct_method
    contents = convert_to_tensor(contents, dtype=dtypes.string, name="contents")
    window = convert_to_tensor(crop_window, dtype=dtypes.int32, name="crop_window")
    return make_tensor("DecodeAndCropJpeg", [contents, window], {"channels": int(channels), "ratio": int(ratio)},
                       name=name or "DecodeAndCropJpeg")


@register
class EncodeJpegVariableQuality(OpDef):
    """JPEG bytes of a [height, width, channels] uint8 image at a quality given as a tensor."""

    differentiable = False

    def infer(self, op):
        images, quality = op.inputs
        if images.dtype is not dtypes.uint8:
            raise TypeError("Value passed to parameter 'images' has DataType %s not in list of allowed values: "
                            "uint8" % images.dtype.name)
        _require_rank(images, 3, "images", self.type)
        _require_rank(quality, 0, "quality", self.type)
        return [(dtypes.string, TensorShape([]))]

    def kernel(self, op, ctx):
        _pillow_image()

        def encode(images, quality):
            images = np.asarray(images)
            quality = int(quality)
            if not 0 <= quality <= 100:
                raise errors.InvalidArgumentError(None, op, "quality must be in [0,100], got %d" % quality)
            if images.ndim != 3 or images.shape[2] not in (1, 3):
                raise errors.InvalidArgumentError(None, op, "image must be 3-dimensional with 1 or 3 channels, "
                                                  "got shape %s" % list(images.shape))
            gray = images.shape[2] == 1
            picture = _pillow_image().fromarray(images[:, :, 0] if gray else images, "L" if gray else "RGB")
            buffer = io.BytesIO()
            picture.save(buffer, format="JPEG", quality=quality)
            return string_scalar(buffer.getvalue())
        return encode


def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name=None):
    """`tf.image.adjust_jpeg_quality(image, jpeg_quality)`: a 3-D image (1 or 3 channels) JPEG-encoded at
    `jpeg_quality` (0-100, an int or a scalar tensor) and decoded again, in the image's dtype: the
    compression artefacts of that quality."""
    del dct_method
    from .control import identity
    with name_scope(name, "adjust_jpeg_quality", [image]) as scope:
        image = convert_to_tensor(image, name="image")
        original = image.dtype
        channels = image.shape[-1].value if image.shape.ndims == 3 else None
        as_bytes = convert_image_dtype(image, dtypes.uint8, saturate=True)
        quality = convert_to_tensor(jpeg_quality, dtype=dtypes.int32, name="jpeg_quality")
        encoded = make_tensor("EncodeJpegVariableQuality", [as_bytes, quality])
        decoded = decode_jpeg(encoded, channels=channels or 0)
        if channels:
            decoded.set_shape(image.shape)
        return identity(convert_image_dtype(decoded, original, saturate=True), name=scope)


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None):
    """`tf.image.random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None)`:
    adjust_jpeg_quality at a quality drawn uniformly from [min_jpeg_quality, max_jpeg_quality)."""
    from .random import random_uniform
    if min_jpeg_quality < 0 or max_jpeg_quality < 0 or min_jpeg_quality > 100 or max_jpeg_quality > 100:
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    quality = random_uniform([], min_jpeg_quality, max_jpeg_quality, dtype=dtypes.int32, seed=seed)
    return adjust_jpeg_quality(image, quality)
