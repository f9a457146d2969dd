"""tf.image box, patch, similarity, colour-space and JPEG helpers (ops/image_extra.py): values against
plain-NumPy references written per pixel / per box here, finite-difference gradients, error paths."""
import io
import math

import numpy as np
import pytest

import numflow as tf
from gradcheck import check_gradients, evaluate


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


# --- non-max suppression -------------------------------------------------------------------------------
def reference_iou(a, b):
    ay0, ay1 = sorted((a[0], a[2]))
    ax0, ax1 = sorted((a[1], a[3]))
    by0, by1 = sorted((b[0], b[2]))
    bx0, bx1 = sorted((b[1], b[3]))
    area_a, area_b = (ay1 - ay0) * (ax1 - ax0), (by1 - by0) * (bx1 - bx0)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter = max(0.0, min(ay1, by1) - max(ay0, by0)) * max(0.0, min(ax1, bx1) - max(ax0, bx0))
    return inter / (area_a + area_b - inter)


def reference_nms(boxes, scores, limit, threshold, score_threshold=-np.inf):
    """Textbook greedy NMS: by descending score (stable), keep a box unless it overlaps a kept one."""
    kept = []
    for i in sorted(range(len(scores)), key=lambda i: -scores[i]):
        if scores[i] <= score_threshold or len(kept) == limit:
            continue
        if all(reference_iou(boxes[i], boxes[j]) <= threshold for j in kept):
            kept.append(i)
    return kept


def random_boxes(seed, count):
    r = np.random.RandomState(seed)
    corners = r.uniform(0, 10, (count, 2, 2))
    sizes = r.uniform(0.5, 4, (count, 2))
    boxes = np.concatenate([corners[:, 0], corners[:, 0] + sizes], axis=1)[:, [0, 1, 2, 3]]
    flip = r.rand(count) < 0.3      # some boxes with their corners the other way round
    boxes[flip] = boxes[flip][:, [2, 3, 0, 1]]
    return boxes.astype(np.float32), r.uniform(0, 1, count).astype(np.float32)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_non_max_suppression_matches_greedy_reference(seed):
    boxes, scores = random_boxes(seed, 30)
    for limit, threshold, score_threshold in [(10, 0.3, -np.inf), (30, 0.0, -np.inf), (5, 0.7, 0.4)]:
        got = run(tf.image.non_max_suppression(boxes, scores, limit, threshold, score_threshold))
        assert got.dtype == np.int32
        assert got.tolist() == reference_nms(boxes, scores, limit, threshold, score_threshold)


def test_non_max_suppression_ties_keep_the_lower_index_and_static_shapes():
    boxes = np.array([[0, 0, 1, 1], [0, 0, 1, 1], [5, 5, 6, 6]], np.float32)
    scores = np.array([0.5, 0.5, 0.5], np.float32)
    selected = tf.image.non_max_suppression(boxes, scores, 3)
    assert selected.shape.as_list() == [None]
    assert run(selected).tolist() == [0, 2]
    indices, valid = tf.image.non_max_suppression_padded(boxes, scores, 3, pad_to_max_output_size=True)
    assert indices.shape.as_list() == [3]
    assert run([indices, valid])[0].tolist()[:2] == [0, 2] and run(valid) == 2
    assert tf.image.non_max_suppression_v2 is tf.image.non_max_suppression


def test_soft_nms_decays_overlapping_scores_by_a_gaussian_of_the_iou():
    boxes = np.array([[0, 0, 2, 2], [0, 1, 2, 3], [10, 10, 11, 11]], np.float32)
    scores = np.array([0.9, 0.8, 0.3], np.float32)
    sigma = 0.5
    indices, kept = run(tf.image.non_max_suppression_with_scores(boxes, scores, 3, iou_threshold=1.0,
                                                                 soft_nms_sigma=sigma))
    iou = reference_iou(boxes[0], boxes[1])        # 1/3
    decayed = 0.8 * math.exp(-iou * iou / (2 * sigma))
    assert indices.tolist() == [0, 1, 2]
    np.testing.assert_allclose(kept, [0.9, decayed, 0.3], rtol=1e-6)
    # A decayed score that falls below score_threshold drops the box.
    indices, _ = run(tf.image.non_max_suppression_with_scores(boxes, scores, 3, iou_threshold=1.0,
                                                              score_threshold=0.75, soft_nms_sigma=sigma))
    assert indices.tolist() == [0]


def test_non_max_suppression_overlaps_uses_the_given_matrix():
    overlaps = np.array([[1, 0.7, 0.1], [0.7, 1, 0.2], [0.1, 0.2, 1]], np.float32)
    scores = np.array([0.2, 0.9, 0.5], np.float32)
    assert run(tf.image.non_max_suppression_overlaps(overlaps, scores, 3, 0.5)).tolist() == [1, 2]
    assert run(tf.image.non_max_suppression_overlaps(overlaps, scores, 3, 0.8)).tolist() == [1, 2, 0]


def test_non_max_suppression_errors():
    boxes, scores = random_boxes(0, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="output size must be non-negative"):
        run(tf.image.non_max_suppression(boxes, scores, -1))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"iou_threshold must be in \[0, 1\]"):
        run(tf.image.non_max_suppression(boxes, scores, 2, iou_threshold=1.5))
    with pytest.raises(tf.errors.InvalidArgumentError, match="soft_nms_sigma must be non-negative"):
        run(tf.image.non_max_suppression_with_scores(boxes, scores, 2, soft_nms_sigma=-1.0))
    with pytest.raises(ValueError, match="Dimension must be 4 but is 3"):
        tf.image.non_max_suppression(np.zeros((4, 3), np.float32), scores, 2)
    feed = tf.placeholder(tf.float32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"scores has incompatible shape \[3\]"):
        run(tf.image.non_max_suppression(boxes, feed, 2), {feed: scores[:3]})
    with pytest.raises(tf.errors.InvalidArgumentError, match="overlaps must be square"):
        run(tf.image.non_max_suppression_overlaps(tf.placeholder_with_default(np.zeros((2, 3), np.float32),
                                                                              [None, None]), [1.0, 2.0], 1))
    with pytest.raises(ValueError, match="one \\[num_boxes, 4\\] set"):
        tf.image.non_max_suppression_padded(np.zeros((2, 3, 4), np.float32), np.zeros((2, 3), np.float32), 2)


def reference_combined(boxes, scores, per_class, total, iou, score_threshold, pad_per_class, clip):
    batch, _, q, _ = boxes.shape
    classes = scores.shape[2]
    size = min(total, per_class * classes) if pad_per_class else total
    out = [np.zeros((batch, size, 4)), np.zeros((batch, size)), np.zeros((batch, size)), np.zeros(batch)]
    for b in range(batch):
        found = []
        for c in range(classes):
            class_boxes = boxes[b, :, 0 if q == 1 else c]
            for i in reference_nms(class_boxes, scores[b, :, c], per_class, iou, score_threshold):
                found.append((scores[b, i, c], c, class_boxes[i]))
        found = sorted(found, key=lambda item: -item[0])[:size]
        out[3][b] = len(found)
        for k, (s, c, box) in enumerate(found):
            out[0][b, k] = np.clip(box, 0, 1) if clip else box
            out[1][b, k], out[2][b, k] = s, c
    return out


@pytest.mark.parametrize("q,pad_per_class,clip", [(1, False, True), (3, True, False), (3, False, True)])
def test_combined_non_max_suppression_matches_per_class_reference(q, pad_per_class, clip):
    r = np.random.RandomState(q)
    corner = r.uniform(-0.2, 0.9, (2, 12, q, 2))
    boxes = np.concatenate([corner, corner + r.uniform(0.05, 0.4, (2, 12, q, 2))], axis=-1).astype(np.float32)
    scores = r.uniform(0, 1, (2, 12, 3)).astype(np.float32)
    got = run(tf.image.combined_non_max_suppression(boxes, scores, 3, 7, 0.3, 0.2, pad_per_class=pad_per_class,
                                                    clip_boxes=clip))
    expected = reference_combined(boxes, scores, 3, 7, 0.3, 0.2, pad_per_class, clip)
    assert [g.dtype for g in got] == [np.float32] * 3 + [np.int32]
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6)


def test_combined_non_max_suppression_errors():
    boxes = np.zeros((1, 4, 2, 4), np.float32)
    scores = np.zeros((1, 4, 3), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="third dimension of boxes must be either 1 or 3"):
        run(tf.image.combined_non_max_suppression(boxes, scores, 2, 4))
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be > 0"):
        run(tf.image.combined_non_max_suppression(boxes[:, :, :1], scores, 0, 4))
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.image.combined_non_max_suppression(boxes[0], scores, 2, 4)


# --- crop_and_resize -----------------------------------------------------------------------------------
def reference_crop(image, boxes, box_ind, crop_size, method="bilinear", extrapolation=0.0):
    """TF's documented sampling, one output pixel at a time."""
    _, height, width, depth = image.shape
    crop_h, crop_w = crop_size
    out = np.zeros((len(boxes), crop_h, crop_w, depth))
    for n, (y1, x1, y2, x2) in enumerate(boxes.astype(np.float64)):
        for y in range(crop_h):
            in_y = y1 * (height - 1) + y * (y2 - y1) * (height - 1) / (crop_h - 1) if crop_h > 1 \
                else 0.5 * (y1 + y2) * (height - 1)
            for x in range(crop_w):
                in_x = x1 * (width - 1) + x * (x2 - x1) * (width - 1) / (crop_w - 1) if crop_w > 1 \
                    else 0.5 * (x1 + x2) * (width - 1)
                if not (0 <= in_y <= height - 1 and 0 <= in_x <= width - 1):
                    out[n, y, x] = extrapolation
                    continue
                picture = image[box_ind[n]].astype(np.float64)
                if method == "nearest":
                    out[n, y, x] = picture[int(math.floor(in_y + 0.5)), int(math.floor(in_x + 0.5))]
                    continue
                top, left = int(math.floor(in_y)), int(math.floor(in_x))
                bottom, right = int(math.ceil(in_y)), int(math.ceil(in_x))
                dy, dx = in_y - top, in_x - left
                upper = picture[top, left] * (1 - dx) + picture[top, right] * dx
                lower = picture[bottom, left] * (1 - dx) + picture[bottom, right] * dx
                out[n, y, x] = upper * (1 - dy) + lower * dy
    return out


CROP_BOXES = np.array([[0.1, 0.2, 0.8, 0.7], [0.9, 0.1, 0.2, 0.95], [-0.2, -0.1, 1.3, 0.5],
                       [0.35, 0.3, 0.35, 0.61]], np.float32)


@pytest.mark.parametrize("method,crop_size,dtype", [("bilinear", (5, 4), np.float32), ("bilinear", (1, 3), np.uint8),
                                                    ("nearest", (4, 6), np.float64), ("nearest", (3, 1), np.int32)])
def test_crop_and_resize_matches_per_pixel_reference(method, crop_size, dtype):
    image = (np.random.RandomState(0).uniform(0, 1, (2, 7, 9, 3)) * (200 if dtype != np.float32 else 1)).astype(dtype)
    box_ind = np.array([0, 1, 1, 0], np.int32)
    crops = tf.image.crop_and_resize(image, CROP_BOXES, box_ind, crop_size, method=method, extrapolation_value=-1)
    assert crops.dtype == tf.float32 and crops.shape.as_list() == [4, crop_size[0], crop_size[1], 3]
    np.testing.assert_allclose(run(crops), reference_crop(image, CROP_BOXES, box_ind, crop_size, method, -1.0),
                               rtol=1e-5, atol=1e-5)
    # TF 2's argument name box_indices works too.
    again = tf.image.crop_and_resize(image, CROP_BOXES, box_indices=box_ind, crop_size=crop_size, method=method)
    assert run(again).shape == (4,) + tuple(crop_size) + (3,)


def test_crop_and_resize_gradients_for_image_and_boxes():
    image = np.random.RandomState(1).uniform(0, 1, (2, 5, 6, 2))
    boxes = np.array([[0.13, 0.21, 0.77, 0.68], [0.92, 0.14, 0.31, 0.87], [-0.11, 0.33, 0.41, 1.2]])
    box_ind = [1, 0, 1]
    # The crops are float32 whatever the image's dtype: finite differences use a coarser step.
    check_gradients(lambda im, bx: tf.cast(tf.image.crop_and_resize(im, tf.cast(bx, tf.float32), box_ind, [3, 4]),
                                           tf.float64), [image, boxes], rtol=2e-3, atol=5e-4, delta=1e-3)


def test_crop_and_resize_nearest_image_gradient():
    image = np.random.RandomState(2).uniform(0, 1, (1, 4, 5, 2))
    boxes = np.array([[0.1, 0.1, 0.9, 0.8], [0.0, 0.5, 0.6, 1.0]], np.float32)
    check_gradients(lambda im: tf.cast(tf.image.crop_and_resize(im, boxes, [0, 0], [3, 3], method="nearest"),
                                       tf.float64), [image], rtol=1e-4, atol=1e-5, delta=1e-3)


def test_crop_and_resize_errors():
    image = np.zeros((2, 4, 4, 1), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"box_index has values outside \[0, batch_size\)"):
        run(tf.image.crop_and_resize(image, CROP_BOXES[:1], [2], [2, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="crop dimensions must be positive"):
        run(tf.image.crop_and_resize(image, CROP_BOXES[:1], [0], tf.placeholder_with_default([0, 2], [2])))
    with pytest.raises(ValueError, match="method must be 'bilinear' or 'nearest'"):
        tf.image.crop_and_resize(image, CROP_BOXES[:1], [0], [2, 2], method="bicubic")
    with pytest.raises(ValueError, match="Shape must be rank 4 but is rank 3"):
        tf.image.crop_and_resize(image[0], CROP_BOXES[:1], [0], [2, 2])
    with pytest.raises(ValueError, match="needs box_ind"):
        tf.image.crop_and_resize(image, CROP_BOXES[:1], crop_size=[2, 2])


# --- draw_bounding_boxes -------------------------------------------------------------------------------
def test_draw_bounding_boxes_outlines_with_palette_and_clipping():
    images = np.full((1, 5, 6, 3), 0.25, np.float32)
    boxes = np.array([[[0.0, 0.0, 0.5, 0.6], [0.5, 0.4, 1.5, 1.0], [-1.0, -1.0, 2.0, 2.0]]], np.float32)
    out = run(tf.image.draw_bounding_boxes(images, boxes))
    expected = images.copy()[0]
    yellow, blue = [1, 1, 0], [0, 0, 1]
    # Box 0: rows 0..2, columns 0..3 (0.6 * 5 = 3).
    expected[0, 0:4] = expected[2, 0:4] = yellow
    expected[0:3, 0] = expected[0:3, 3] = yellow
    # Box 1: rows 2..6 (bottom outside: not drawn), columns 2..5.
    expected[2, 2:6] = blue
    expected[2:5, 2] = expected[2:5, 5] = blue
    # Box 2: every edge outside the image: nothing drawn.
    np.testing.assert_array_equal(out[0], expected)
    colors = np.array([[0.5, 0.1, 0.9, 1.0]], np.float32)
    out = run(tf.image.draw_bounding_boxes(images[:, :, :, :1], boxes[:, :1], colors=colors))
    assert out[0, 0, 0, 0] == np.float32(0.5) and out[0, 1, 1, 0] == np.float32(0.25)


def test_draw_bounding_boxes_errors():
    with pytest.raises(TypeError, match="DataType uint8 not in list of allowed values"):
        tf.image.draw_bounding_boxes(np.zeros((1, 3, 3, 3), np.uint8), np.zeros((1, 1, 4), np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="less than or equal to the colors' channels"):
        run(tf.image.draw_bounding_boxes(np.zeros((1, 3, 3, 5), np.float32), np.zeros((1, 1, 4), np.float32)))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"boxes must be \[batch, num_boxes, 4\]"):
        run(tf.image.draw_bounding_boxes(np.zeros((2, 3, 3, 3), np.float32),
                                         tf.placeholder_with_default(np.zeros((1, 1, 4), np.float32), [None, 1, 4])))


# --- sample_distorted_bounding_box ---------------------------------------------------------------------
def test_sample_distorted_bounding_box_respects_its_constraints():
    bounding = np.array([[[0.2, 0.3, 0.7, 0.9]]], np.float32)
    begin, size, box = tf.image.sample_distorted_bounding_box(
        [40, 60, 3], bounding, seed=3, min_object_covered=0.5, aspect_ratio_range=(0.5, 2.0), area_range=(0.1, 0.8))
    assert begin.shape.as_list() == [3] and box.shape.as_list() == [1, 1, 4] and begin.dtype == tf.int32
    fallbacks = 0
    with tf.Session() as sess:
        for _ in range(60):
            b, s, bb = sess.run([begin, size, box])
            y, x, h, w = b[0], b[1], s[0], s[1]
            assert b[2] == 0 and s[2] == -1
            if (h, w) == (40, 60):
                fallbacks += 1
                continue
            assert 0 <= y and y + h <= 40 and 0 <= x and x + w <= 60
            assert 0.1 * 2400 <= h * w <= 0.8 * 2400
            assert 0.5 - 0.05 <= w / h <= 2.0 + 0.05
            covered = max(0, min(y + h, 28) - max(y, 8)) * max(0, min(x + w, 54) - max(x, 18)) / (20 * 36)
            assert covered >= 0.5
            np.testing.assert_allclose(bb[0, 0], [y / 40, x / 60, (y + h) / 40, (x + w) / 60], rtol=1e-6)
    assert fallbacks < 10
    # The same seed gives the same sequence in a new Session.
    with tf.Session() as first, tf.Session() as second:
        assert first.run(begin).tolist() == second.run(begin).tolist()


def test_sample_distorted_bounding_box_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="No bounding boxes provided"):
        run(tf.image.sample_distorted_bounding_box([4, 4, 1], np.zeros((1, 0, 4), np.float32))[0])
    begin, size, _ = tf.image.sample_distorted_bounding_box([4, 5, 1], np.zeros((1, 0, 4), np.float32),
                                                            use_image_if_no_bounding_boxes=True, area_range=(1, 1),
                                                            aspect_ratio_range=(1.25, 1.25))
    assert run(size).tolist() == [4, 5, -1]
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"must be in \[0.0, 1.0\]"):
        run(tf.image.sample_distorted_bounding_box([4, 4, 1], [[[0, 0, 1.5, 1]]])[0])
    with pytest.raises(ValueError, match="area_range must be two floats"):
        tf.image.sample_distorted_bounding_box([4, 4, 1], [[[0, 0, 1, 1]]], area_range=(0.5, 2))


# --- patches -------------------------------------------------------------------------------------------
def reference_patches(images, sizes, strides, rates, padding):
    batch, height, width, depth = images.shape
    (kr, kc), (sr, sc), (rr, rc) = sizes[1:3], strides[1:3], rates[1:3]
    eff_r, eff_c = (kr - 1) * rr + 1, (kc - 1) * rc + 1
    if padding == "VALID":
        out_r, out_c, top, left = (height - eff_r) // sr + 1, (width - eff_c) // sc + 1, 0, 0
    else:
        out_r, out_c = -(-height // sr), -(-width // sc)
        top = max(0, (out_r - 1) * sr + eff_r - height) // 2
        left = max(0, (out_c - 1) * sc + eff_c - width) // 2
    out = np.zeros((batch, out_r, out_c, kr * kc * depth), images.dtype)
    for i in range(out_r):
        for j in range(out_c):
            values = []
            for a in range(kr):
                for b in range(kc):
                    y, x = i * sr + a * rr - top, j * sc + b * rc - left
                    inside = 0 <= y < height and 0 <= x < width
                    values.append(images[:, y, x] if inside else np.zeros((batch, depth), images.dtype))
            out[:, i, j] = np.concatenate(values, axis=1)
    return out


@pytest.mark.parametrize("sizes,strides,rates,padding", [
    ([1, 3, 2, 1], [1, 2, 3, 1], [1, 1, 2, 1], "SAME"), ([1, 2, 3, 1], [1, 1, 2, 1], [1, 2, 1, 1], "VALID"),
    ([1, 1, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"), ([1, 4, 4, 1], [1, 3, 3, 1], [1, 1, 1, 1], "SAME")])
def test_extract_patches_match_reference(sizes, strides, rates, padding):
    images = np.random.RandomState(0).randint(-50, 50, (2, 7, 8, 3)).astype(np.int32)
    patches = tf.image.extract_patches(images, sizes, strides, rates, padding)
    expected = reference_patches(images, sizes, strides, rates, padding)
    assert patches.shape.as_list() == list(expected.shape)
    np.testing.assert_array_equal(run(patches), expected)
    old = tf.image.extract_image_patches(images, ksizes=sizes, strides=strides, rates=rates, padding=padding)
    np.testing.assert_array_equal(run(old), expected)


def test_extract_patches_gradient_and_second_order():
    images = np.random.RandomState(1).uniform(-1, 1, (1, 5, 4, 2))
    check_gradients(lambda x: tf.image.extract_patches(x, [1, 2, 3, 1], [1, 2, 1, 1], [1, 1, 1, 1], "SAME"),
                    [images])
    # The gradient op is linear in the upstream gradient: its own gradient is the patches op again.
    check_gradients(lambda x: tf.gradients(
        tf.reduce_sum(tf.image.extract_patches(x, [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID") ** 2), x)[0],
        [images])


def test_extract_patches_errors():
    with pytest.raises(ValueError, match=r"ksizes must be \[1, ksizes_rows, ksizes_cols, 1\]"):
        tf.image.extract_patches(np.zeros((1, 4, 4, 1), np.float32), [2, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    with pytest.raises(ValueError, match="padding must be 'SAME' or 'VALID'"):
        tf.image.extract_patches(np.zeros((1, 4, 4, 1), np.float32), [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "FULL")
    with pytest.raises(ValueError, match="needs ksizes, strides, rates and padding"):
        tf.image.extract_image_patches(np.zeros((1, 4, 4, 1), np.float32), [1, 2, 2, 1])


# --- sobel, ssim ---------------------------------------------------------------------------------------
def test_sobel_edges_match_reference_and_gradient():
    image = np.random.RandomState(0).uniform(0, 1, (2, 5, 6, 2)).astype(np.float32)
    padded = np.pad(image, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    kernel_y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float64)
    expected = np.zeros(image.shape + (2,))
    for y in range(5):
        for x in range(6):
            window = padded[:, y:y + 3, x:x + 3].astype(np.float64)
            expected[:, y, x, :, 0] = np.einsum("bijc,ij->bc", window, kernel_y)
            expected[:, y, x, :, 1] = np.einsum("bijc,ij->bc", window, kernel_y.T)
    edges = tf.image.sobel_edges(image)
    assert edges.shape.as_list() == [2, 5, 6, 2, 2]
    np.testing.assert_allclose(run(edges), expected, rtol=1e-5, atol=1e-5)
    check_gradients(tf.image.sobel_edges, [image[:1, :4, :4, :1]])
    with pytest.raises(ValueError, match="sobel_edges expects a 4-D"):
        tf.image.sobel_edges(image[0])


def reference_ssim_map(a, b, max_val, size, sigma, k1=0.01, k2=0.03):
    coords = np.arange(size) - (size - 1) / 2
    g = np.exp(-coords ** 2 / (2 * sigma ** 2))
    window = np.outer(g, g) / np.outer(g, g).sum()
    height, width = a.shape[-3] - size + 1, a.shape[-2] - size + 1
    a, b = a.astype(np.float64), b.astype(np.float64)

    def local(values):
        out = np.zeros(values.shape[:-3] + (height, width, values.shape[-1]))
        for y in range(height):
            for x in range(width):
                out[..., y, x, :] = np.einsum("...ijc,ij->...c", values[..., y:y + size, x:x + size, :], window)
        return out
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mu_a, mu_b = local(a), local(b)
    var_a, var_b, cov = local(a * a) - mu_a ** 2, local(b * b) - mu_b ** 2, local(a * b) - mu_a * mu_b
    luminance = (2 * mu_a * mu_b + c1) / (mu_a ** 2 + mu_b ** 2 + c1)
    contrast = (2 * cov + c2) / (var_a + var_b + c2)
    return luminance * contrast, contrast


def test_ssim_matches_windowed_statistics_reference():
    r = np.random.RandomState(0)
    a = r.uniform(0, 1, (2, 16, 18, 3)).astype(np.float32)
    b = np.clip(a + r.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    full, _ = reference_ssim_map(a, b, 1.0, 11, 1.5)
    np.testing.assert_allclose(run(tf.image.ssim(a, b, 1.0)), full.mean(axis=(1, 2, 3)), rtol=1e-4)
    full, _ = reference_ssim_map(a, b, 1.0, 5, 1.0)
    np.testing.assert_allclose(run(tf.image.ssim(a, b, 1.0, filter_size=5, filter_sigma=1.0)),
                               full.mean(axis=(1, 2, 3)), rtol=1e-4)
    np.testing.assert_allclose(run(tf.image.ssim(a, b, 1.0, filter_size=5, filter_sigma=1.0,
                                                 return_index_map=True)), full.mean(axis=-1), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(run(tf.image.ssim(a, a, 1.0)), [1.0, 1.0], rtol=1e-5)
    # uint8 images are compared in [0, 1] with max_val scaled alike.
    ua, ub = (a * 255).astype(np.uint8), (b * 255).astype(np.uint8)
    full, _ = reference_ssim_map(ua / 255.0, ub / 255.0, 1.0, 11, 1.5)
    np.testing.assert_allclose(run(tf.image.ssim(ua, ub, 255)), full.mean(axis=(1, 2, 3)), rtol=1e-4)


def test_ssim_gradient():
    r = np.random.RandomState(1)
    a = r.uniform(0, 1, (1, 5, 5, 1))
    b = r.uniform(0, 1, (1, 5, 5, 1))
    check_gradients(lambda x, y: tf.cast(tf.image.ssim(tf.cast(x, tf.float32), tf.cast(y, tf.float32), 1.0,
                                                       filter_size=3), tf.float64), [a, b], rtol=5e-3, atol=1e-4,
                    delta=1e-3)


def test_ssim_multiscale_matches_reference():
    r = np.random.RandomState(2)
    a = r.uniform(0, 1, (1, 33, 35, 1)).astype(np.float32)
    b = np.clip(a + r.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    weights = (0.3, 0.3, 0.4)
    images, scores = [a.astype(np.float64), b.astype(np.float64)], []
    for scale in range(3):
        if scale:
            halved = []
            for image in images:
                h, w = image.shape[1:3]
                image = np.pad(image, [(0, 0), (0, h % 2), (0, w % 2), (0, 0)], mode="symmetric")
                h, w = image.shape[1:3]
                halved.append(image.reshape(1, h // 2, 2, w // 2, 2, 1).mean(axis=(2, 4)))
            images = halved
        full, contrast = reference_ssim_map(images[0], images[1], 1.0, 3, 1.5)
        scores.append((full if scale == 2 else contrast).mean(axis=(1, 2)))
    expected = np.prod([np.maximum(s, 0) ** w for s, w in zip(scores, weights)], axis=0).mean(axis=-1)
    got = run(tf.image.ssim_multiscale(a, b, 1.0, power_factors=weights, filter_size=3))
    np.testing.assert_allclose(got, expected, rtol=1e-4)


def test_ssim_errors():
    a = np.zeros((1, 8, 8, 1), np.float32)
    with pytest.raises(ValueError, match="must be at least filter_size 11"):
        tf.image.ssim(a, a, 1.0)
    with pytest.raises(ValueError, match="incompatible"):
        tf.image.ssim(a, np.zeros((1, 8, 9, 1), np.float32), 1.0, filter_size=3)
    with pytest.raises(TypeError, match="one dtype"):
        tf.image.ssim(a, a.astype(np.float64), 1.0, filter_size=3)


# --- colour spaces, transpose, resize_image_with_pad ---------------------------------------------------
def test_yiq_and_yuv_conversions():
    rgb = np.random.RandomState(0).uniform(0, 1, (4, 5, 3)).astype(np.float32)
    red, green, blue = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    luma = 0.299 * red + 0.587 * green + 0.114 * blue
    yiq, yuv = run([tf.image.rgb_to_yiq(rgb), tf.image.rgb_to_yuv(rgb)])
    np.testing.assert_allclose(yiq[..., 0], luma, rtol=1e-5)
    np.testing.assert_allclose(yuv[..., 0], luma, rtol=1e-5)
    np.testing.assert_allclose(yuv[..., 1], 0.492 * (blue - luma), rtol=1e-3, atol=1e-4)    # U = 0.492 (B - Y)
    np.testing.assert_allclose(yuv[..., 2], 0.877 * (red - luma), rtol=1e-3, atol=1e-4)     # V = 0.877 (R - Y)
    np.testing.assert_allclose(yiq[..., 1], 0.5959 * red - 0.2746 * green - 0.3213 * blue, atol=1e-4)
    back = run([tf.image.yiq_to_rgb(yiq), tf.image.yuv_to_rgb(yuv)])
    for value in back:
        np.testing.assert_allclose(value, rgb, atol=1e-3)
    check_gradients(tf.image.rgb_to_yiq, [rgb[:2, :2].astype(np.float64)])
    with pytest.raises(ValueError, match="3 channels in the last dimension"):
        tf.image.rgb_to_yuv(np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match="DataType uint8 not in list"):
        tf.image.rgb_to_yiq(np.zeros((2, 3), np.uint8))


def test_transpose_and_resize_image_with_pad():
    image = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    np.testing.assert_array_equal(run(tf.image.transpose(image)), image.transpose(1, 0, 2))
    # A 2 x 4 image into 4 x 4: scaled by 1 (width fits), padded by one row above and below.
    small = np.arange(8, dtype=np.float32).reshape(2, 4, 1)
    out = run(tf.image.resize_image_with_pad(small, 4, 4, method=tf.image.ResizeMethod.NEAREST_NEIGHBOR))
    expected = np.zeros((4, 4, 1), np.float32)
    expected[1:3] = small
    np.testing.assert_array_equal(out, expected)
    # 5 x 9 into 8 x 8: resized to 4 x 8, the float size 4.44 leaves floor(1.78) = 1 row above.
    out = run(tf.image.resize_image_with_pad(np.ones((1, 5, 9, 2), np.float32), 8, 8))
    assert out.shape == (1, 8, 8, 2)
    np.testing.assert_array_equal(out[0, :, 0, 0], [0, 1, 1, 1, 1, 0, 0, 0])
    with pytest.raises(ValueError, match="target_height must be > 0"):
        tf.image.resize_image_with_pad(small, 0, 4)


# --- JPEG helpers --------------------------------------------------------------------------------------
def jpeg_bytes(array, quality=90):
    from PIL import Image
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def test_is_jpeg_and_extract_jpeg_shape():
    pytest.importorskip("PIL.Image")
    data = jpeg_bytes(np.random.RandomState(0).randint(0, 255, (13, 21, 3)).astype(np.uint8))
    gray = jpeg_bytes(np.zeros((7, 5), np.uint8))
    assert run(tf.image.is_jpeg(data)) and not run(tf.image.is_jpeg(b"\x89PNG\r\n"))
    assert run(tf.image.extract_jpeg_shape(data)).tolist() == [13, 21, 3]
    shape = tf.image.extract_jpeg_shape(gray, output_type=tf.int64)
    assert shape.dtype == tf.int64 and run(shape).tolist() == [7, 5, 1]
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not start with the SOI marker"):
        run(tf.image.extract_jpeg_shape(b"GIF89a"))
    with pytest.raises(tf.errors.InvalidArgumentError, match="no frame header"):
        run(tf.image.extract_jpeg_shape(data[:20]))


def test_decode_and_crop_jpeg_is_decode_then_crop():
    pytest.importorskip("PIL.Image")
    data = jpeg_bytes(np.random.RandomState(1).randint(0, 255, (16, 20, 3)).astype(np.uint8))
    crop = tf.image.decode_and_crop_jpeg(data, [2, 3, 5, 7])
    assert crop.shape.as_list() == [5, 7, None]
    full = run(tf.image.decode_jpeg(data))
    np.testing.assert_array_equal(run(crop), full[2:7, 3:10])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid JPEG data or crop window"):
        run(tf.image.decode_and_crop_jpeg(data, [10, 3, 10, 7]))


def test_adjust_and_random_jpeg_quality():
    Image = pytest.importorskip("PIL.Image")
    image = np.random.RandomState(2).randint(0, 255, (12, 16, 3)).astype(np.uint8)
    expected = np.asarray(Image.open(io.BytesIO(jpeg_bytes(image, quality=30))))
    out = tf.image.adjust_jpeg_quality(image, 30)
    assert out.dtype == tf.uint8 and out.shape.as_list() == [12, 16, 3]
    np.testing.assert_array_equal(run(out), expected)
    as_float = run(tf.image.adjust_jpeg_quality(image.astype(np.float32) / 255, 30))
    assert as_float.dtype == np.float32
    np.testing.assert_allclose(as_float, expected / 255.0, atol=1e-6)
    low = np.asarray(Image.open(io.BytesIO(jpeg_bytes(image, quality=10))))
    high = np.asarray(Image.open(io.BytesIO(jpeg_bytes(image, quality=11))))
    got = run(tf.image.random_jpeg_quality(image, 10, 12, seed=1))
    assert np.array_equal(got, low) or np.array_equal(got, high)
    with pytest.raises(ValueError, match="must be less than"):
        tf.image.random_jpeg_quality(image, 50, 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        tf.image.random_jpeg_quality(image, 50, 150)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"quality must be in \[0,100\]"):
        run(tf.image.adjust_jpeg_quality(image, tf.constant(120)))


# --- GraphDef: each op written as TF's op of the same name and read back -------------------------------
def test_graph_def_round_trip_of_the_image_extra_ops():
    pytest.importorskip("PIL.Image")
    from numflow.framework.graph_def import graph_to_graph_def
    graph = tf.Graph()
    boxes, scores = random_boxes(3, 8)
    image = np.random.RandomState(3).uniform(0, 1, (2, 6, 7, 3)).astype(np.float32)
    data = jpeg_bytes((image[0] * 255).astype(np.uint8))
    with graph.as_default():
        image_t = tf.constant(image)
        crops = tf.image.crop_and_resize(image_t, CROP_BOXES, [0, 1, 1, 0], [3, 2])
        outputs = [
            tf.image.non_max_suppression_with_scores(boxes, scores, 5, 0.4, soft_nms_sigma=0.3)[1],
            tf.image.non_max_suppression_overlaps(np.eye(3, dtype=np.float32), [0.1, 0.3, 0.2], 2),
            tf.image.combined_non_max_suppression(boxes[None, :, None], scores[None, :, None], 3, 4)[0],
            crops, *tf.gradients(tf.reduce_sum(crops ** 2), [image_t]),
            tf.image.draw_bounding_boxes(image, [[[0.1, 0.2, 0.6, 0.9]], [[0, 0, 1, 1]]]),
            tf.image.extract_patches(image, [1, 2, 3, 1], [1, 2, 1, 1], [1, 1, 1, 1], "SAME"),
            tf.image.extract_jpeg_shape(data), tf.image.decode_and_crop_jpeg(data, [1, 1, 3, 3]),
            tf.image.adjust_jpeg_quality((image[0] * 255).astype(np.uint8), 50),
            tf.image.sample_distorted_bounding_box([6, 7, 3], [[[0, 0, 1, 1]]], seed=1)[1]]
        names = [t.name for t in outputs]
        boxes_grad = tf.gradients(tf.reduce_sum(crops), tf.get_default_graph().get_tensor_by_name(
            crops.op.inputs[1].name))[0]
    with tf.Session(graph=graph) as sess:
        expected = sess.run(names[:-1] + [boxes_grad.name])
    graph_def = graph_to_graph_def(graph)
    written = {node.op for node in graph_def.node}
    assert {"NonMaxSuppressionV5", "NonMaxSuppressionWithOverlaps", "CombinedNonMaxSuppression", "CropAndResize",
            "CropAndResizeGradImage", "CropAndResizeGradBoxes", "DrawBoundingBoxesV2", "ExtractImagePatches",
            "ExtractJpegShape", "DecodeAndCropJpeg", "EncodeJpegVariableQuality",
            "SampleDistortedBoundingBoxV2"} <= written
    imported = tf.Graph()
    with imported.as_default():
        tf.import_graph_def(tf.GraphDef.FromString(graph_def.SerializeToString()), name="")
    with tf.Session(graph=imported) as sess:
        got = sess.run(names[:-1] + [boxes_grad.name])
        assert sess.run(names[-1]).shape == (3,)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-6)
