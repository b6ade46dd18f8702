"""Generative models of promoter DNA: a denoising diffusion model and a WGAN-GP baseline, trained with ``fit``.

One concept per module: :mod:`~sca_tf.models.generative.base` (what every generator shares: the one-hot codec
in and out, the trained-steps counter, ``generate``), :mod:`~sca_tf.models.generative.schedule` (the noise
schedule), :mod:`~sca_tf.models.generative.denoiser` (the flat denoising network and what every denoiser shares),
:mod:`~sca_tf.models.generative.unet` (the U-Net denoiser),
:mod:`~sca_tf.models.generative.diffusion` (the diffusion model: loss, training step, parameterizations),
:mod:`~sca_tf.models.generative.sampling` (DDPM and DDIM samplers, guidance) and
:mod:`~sca_tf.models.generative.gan` (the WGAN-GP). Importing the package registers every model class with
Keras, so saved ``.keras`` generators reload with ``keras.models.load_model``.

>>> from sca_tf.models.generative import build_diffusion_model
>>> model = build_diffusion_model(64, channels=16, dilations=(1, 2), groups=4, timesteps=100)
"""

from sca_tf.models.generative.base import SequenceGenerator, decode_one_hot, one_hot_sequences
from sca_tf.models.generative.denoiser import Denoiser
from sca_tf.models.generative.diffusion import DiffusionModel, build_diffusion_model
from sca_tf.models.generative.gan import Critic, Generator, PromoterGAN, build_gan
from sca_tf.models.generative.schedule import NoiseSchedule
from sca_tf.models.generative.unet import UNetDenoiser

__all__ = [
    "Critic",
    "Denoiser",
    "DiffusionModel",
    "Generator",
    "NoiseSchedule",
    "PromoterGAN",
    "SequenceGenerator",
    "UNetDenoiser",
    "build_diffusion_model",
    "build_gan",
    "decode_one_hot",
    "one_hot_sequences",
]
