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

__all__ = ["ResizeMethod", "adjust_brightness", "adjust_contrast", "adjust_gamma", "adjust_hue",
           "adjust_saturation", "central_crop", "convert_image_dtype", "crop_to_bounding_box", "decode_bmp",
           "decode_gif", "decode_image", "decode_jpeg", "decode_png", "encode_jpeg", "encode_png",
           "flip_left_right", "flip_up_down", "grayscale_to_rgb", "hsv_to_rgb", "image_gradients",
           "pad_to_bounding_box", "per_image_standardization", "psnr", "random_brightness", "random_contrast",
           "random_crop", "random_flip_left_right", "random_flip_up_down", "random_hue", "random_saturation",
           "resize", "resize_area", "resize_bicubic", "resize_bilinear", "resize_image_with_crop_or_pad",
           "resize_images", "resize_nearest_neighbor", "resize_with_crop_or_pad", "rgb_to_grayscale",
           "rgb_to_hsv", "rot90", "total_variation", "transpose_image"]
