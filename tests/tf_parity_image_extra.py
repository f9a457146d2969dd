"""tf.image box, patch, similarity and colour-space ops built identically with numflow and real TensorFlow
(run by test_tf_parity_image_extra.py where NUMFLOW_TF_PYTHON names a Python with TensorFlow)."""
import numpy as np


def image_extra_cases(tf):
    """Non-max suppression variants, crop_and_resize (with gradients), draw_bounding_boxes, patches,
    sobel, ssim / ms-ssim, YIQ/YUV, resize_image_with_pad."""
    im = tf.image
    r = np.random.RandomState(0)
    boxes = r.uniform(0, 1, (12, 4)).astype(np.float32)
    scores = r.uniform(0, 1, 12).astype(np.float32)
    scores[3] = scores[5]
    out = {}
    out['nms'] = im.non_max_suppression(boxes, scores, 7, 0.3)
    out['nms_thr'] = im.non_max_suppression(boxes, scores, 7, 0.3, score_threshold=0.4)
    i, s = im.non_max_suppression_with_scores(boxes, scores, 10, 0.5, soft_nms_sigma=0.5)
    out['soft_i'] = i; out['soft_s'] = s
    i, v = im.non_max_suppression_padded(boxes, scores, 10, 0.3, pad_to_max_output_size=True)
    out['pad_i'] = i[:7]; out['pad_v'] = v   # indices past the valid ones are unspecified in TF
    ov = r.uniform(0, 1, (12, 12)).astype(np.float32)
    out['ovl'] = im.non_max_suppression_overlaps(ov, scores, 6, 0.6)
    bb = r.uniform(0, 1, (2, 10, 3, 4)).astype(np.float32)
    sc = r.uniform(0, 1, (2, 10, 3)).astype(np.float32)
    for k, t in zip('bscv', im.combined_non_max_suppression(bb, sc, 4, 7, 0.4, 0.2)):
        out['comb_' + k] = t
    for k, t in zip('bscv', im.combined_non_max_suppression(bb, sc, 2, 7, 0.4, 0.2, pad_per_class=True, clip_boxes=False)):
        out['comb2_' + k] = t
    image = r.uniform(0, 1, (2, 7, 9, 3)).astype(np.float32)
    cb = np.array([[0.1, 0.2, 0.8, 0.7], [0.9, 0.1, 0.2, 0.95], [-0.2, -0.1, 1.3, 0.5], [0.3, 0.3, 0.3, 0.6]], np.float32)
    out['crop_bil'] = im.crop_and_resize(image, cb, [0, 1, 1, 0], [5, 4], extrapolation_value=-1)
    image_t, boxes_t = tf.constant(image), tf.constant(cb)
    out['crop_grad'] = tf.gradients(tf.reduce_sum(tf.image.crop_and_resize(image_t, boxes_t, [0, 1, 1, 0], [5, 4]) ** 2), [image_t, boxes_t])
    out['crop_near'] = im.crop_and_resize(image, cb, [0, 1, 1, 0], [1, 6], method='nearest')
    imgs = np.zeros((1, 8, 9, 3), np.float32) + 0.2
    db = r.uniform(-0.1, 1.1, (1, 12, 4)).astype(np.float32)
    out['draw'] = im.draw_bounding_boxes(imgs, db)
    out['draw_c'] = im.draw_bounding_boxes(imgs, db, colors=np.array([[0.1, 0.2, 0.3, 1], [0.5, 0.6, 0.7, 1]], np.float32))
    pimg = r.uniform(0, 1, (2, 7, 8, 2)).astype(np.float32)
    out['patch_same'] = im.extract_patches(pimg, [1, 3, 2, 1], [1, 2, 3, 1], [1, 1, 2, 1], 'SAME')
    out['patch_valid'] = im.extract_image_patches(pimg, [1, 2, 3, 1], [1, 1, 2, 1], [1, 2, 1, 1], 'VALID')
    pimg_t = tf.constant(pimg)
    out['patch_grad'] = tf.gradients(tf.reduce_sum(im.extract_patches(pimg_t, [1, 3, 2, 1], [1, 2, 3, 1], [1, 1, 2, 1], 'SAME') ** 2), pimg_t)
    out['sobel'] = im.sobel_edges(tf.constant(pimg))
    a = r.uniform(0, 1, (2, 24, 26, 3)).astype(np.float32)
    b = np.clip(a + r.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    out['ssim'] = im.ssim(a, b, 1.0)
    out['ssim_small'] = im.ssim(a, b, 1.0, filter_size=5, filter_sigma=1.0)
    big_a = r.uniform(0, 1, (1, 33, 35, 1)).astype(np.float32)
    big_b = np.clip(big_a + r.normal(0, 0.1, big_a.shape), 0, 1).astype(np.float32)
    out['msssim'] = im.ssim_multiscale(big_a, big_b, 1.0, filter_size=3, power_factors=(0.3, 0.3, 0.4))
    ua = (a*255).astype(np.uint8); ub = (b*255).astype(np.uint8)
    out['ssim_u8'] = im.ssim(ua, ub, 255)
    out['yiq'] = im.rgb_to_yiq(a); out['yuv'] = im.rgb_to_yuv(a)
    out['yiq2'] = im.yiq_to_rgb(a); out['yuv2'] = im.yuv_to_rgb(a)
    out['pad'] = im.resize_image_with_pad(r.uniform(0, 1, (5, 9, 2)).astype(np.float32), 8, 8)
    out['pad2'] = im.resize_image_with_pad(r.uniform(0, 1, (2, 9, 4, 2)).astype(np.float32), 6, 7)
    out['transpose'] = im.transpose(pimg)
    return out


FAMILIES = ["image_extra_cases"]
