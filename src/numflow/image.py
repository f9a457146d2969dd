"""`tf.image`: decoding, encoding, resizing, cropping, flipping and colour ops on images.

Images are [height, width, channels] tensors, or [batch, height, width, channels] batches of them.
"""
from .ops.image_ops import (ResizeMethod, adjust_brightness, adjust_contrast, adjust_gamma, adjust_hue,
                            adjust_saturation, central_crop, convert_image_dtype, crop_to_bounding_box,
                            decode_bmp, decode_gif, decode_image, decode_jpeg, decode_png, encode_jpeg,
                            encode_png, flip_left_right, flip_up_down, grayscale_to_rgb, hsv_to_rgb,
                            image_gradients, pad_to_bounding_box, per_image_standardization, psnr,
                            random_brightness, random_contrast, random_flip_left_right, random_flip_up_down,
                            random_hue, random_saturation, resize, resize_area, resize_bicubic,
                            resize_bilinear, resize_image_with_crop_or_pad, resize_images,
                            resize_nearest_neighbor, resize_with_crop_or_pad, rgb_to_grayscale, rgb_to_hsv,
                            rot90, total_variation, transpose_image)
from .ops.random import random_crop
from .ops.image_extra import (adjust_jpeg_quality, combined_non_max_suppression, crop_and_resize,
                              decode_and_crop_jpeg, draw_bounding_boxes, extract_image_patches, extract_jpeg_shape,
                              extract_patches, is_jpeg, non_max_suppression, non_max_suppression_overlaps,
                              non_max_suppression_padded, non_max_suppression_v2, non_max_suppression_with_scores,
                              random_jpeg_quality, resize_image_with_pad, rgb_to_yiq, rgb_to_yuv,
                              sample_distorted_bounding_box, sample_distorted_bounding_box_v2, sobel_edges, ssim,
                              ssim_multiscale, transpose, yiq_to_rgb, yuv_to_rgb)

__all__ = ["ResizeMethod", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
           "adjust_saturation", "central_crop", "convert_image_dtype", "crop_to_bounding_box", "decode_bmp",
           "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png",
           "flip_left_right", "flip_up_down", "grayscale_to_rgb", "hsv_to_rgb", "image_gradients",
           "pad_to_bounding_box", "per_image_standardization", "psnr", "random_brightness", "random_contrast",
           "random_crop", "random_flip_left_right", "random_flip_up_down", "random_hue", "random_saturation",
           "resize", "resize_area", "resize_bicubic", "resize_bilinear", "resize_image_with_crop_or_pad",
           "resize_images", "resize_nearest_neighbor", "resize_with_crop_or_pad", "rgb_to_grayscale",
           "rgb_to_hsv", "rot90", "total_variation", "transpose_image"]
__all__ += ["adjust_jpeg_quality", "combined_non_max_suppression", "crop_and_resize", "decode_and_crop_jpeg",
            "draw_bounding_boxes", "extract_image_patches", "extract_jpeg_shape", "extract_patches", "is_jpeg",
            "non_max_suppression", "non_max_suppression_overlaps", "non_max_suppression_padded",
            "non_max_suppression_v2", "non_max_suppression_with_scores", "random_jpeg_quality",
            "resize_image_with_pad", "rgb_to_yiq", "rgb_to_yuv", "sample_distorted_bounding_box",
            "sample_distorted_bounding_box_v2", "sobel_edges", "ssim", "ssim_multiscale", "transpose",
            "yiq_to_rgb", "yuv_to_rgb"]
from .ops.glimpse import extract_glimpse  # noqa: E402,F401 - issue 12
__all__ += ["extract_glimpse"]
