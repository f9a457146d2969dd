"""`tf.contrib.rnn.NTMCell`: a Neural Turing Machine (Graves et al., 2014) with an RNN controller, in the
formulation of Collier & Beel (2018) that contrib implements: learned initial read vectors, address
weights and memory, and clipped controller parameters."""
import collections

import numpy as np

from ..framework import dtypes
from ..framework.graph import convert_to_tensor, name_scope
from ..framework.tensor_shape import TensorShape
from ..init_ops import constant_initializer, glorot_uniform_initializer, truncated_normal_initializer
from ..init_ops import zeros_initializer
from ..ops import array as array_ops
from ..ops import math as math_ops
from ..ops import nn as nn_ops
from ..ops.control import cond
from ..ops.rnn_cell import RNNCell, _linear

__all__ = ["NTMCell", "NTMControllerState"]

NTMControllerState = collections.namedtuple("NTMControllerState",
                                            ("controller_state", "read_vector_list", "w_list", "M", "time"))
NTMControllerState.__doc__ = """`tf.contrib.rnn.NTMControllerState`: an NTMCell's state: the controller's state,
the read vectors [batch, memory_vector_dim] of the read heads, every head's address weights [batch,
memory_size], the memory M [batch, memory_size, memory_vector_dim] and the step count."""


class NTMCell(RNNCell):
    """`tf.contrib.rnn.NTMCell(controller, memory_size, memory_vector_dim, read_head_num, write_head_num,
    shift_range=1, output_dim=None, clip_value=20, dtype=tf.float32, name=None)`: a Neural Turing
    Machine around the RNNCell `controller`.

    Each step the controller reads [inputs, previous read vectors]; its output, through
    'parameters_kernel' and 'parameters_bias' and clipped to +-clip_value, gives every head a key k,
    strength beta, interpolation gate g, shift weights s (2 shift_range + 1) and sharpening gamma, and
    every write head an erase and an add vector. A head's address is the softmax of beta times the
    cosine similarity of k with the memory rows, interpolated with its previous address by g, circularly
    convolved with s and sharpened by gamma. Read heads read the previous memory; write heads then
    erase and add in turn. The output is [controller output, read vectors] 'output_kernel' +
    'output_bias', clipped. At time 0 the read vectors, addresses and memory are tanh / softmax of the
    learned 'initial_read_vector_<i>', 'initial_address_weights_<i>' and the 'memory' variable.
    """

    _default_name = "ntm_cell"

    def __init__(self, controller, memory_size, memory_vector_dim, read_head_num, write_head_num, shift_range=1,
                 output_dim=None, clip_value=20, dtype=dtypes.float32, name=None):
        super().__init__(name=name, dtype=dtype)
        if not isinstance(controller, RNNCell):
            raise TypeError("The argument 'NTM RNN controller cell' (%s) is not an RNNCell." % (controller,))
        self.controller = controller
        self.memory_size = int(memory_size)
        self.memory_vector_dim = int(memory_vector_dim)
        self.read_head_num = int(read_head_num)
        self.write_head_num = int(write_head_num)
        self.shift_range = int(shift_range)
        self.output_dim = output_dim
        self.clip_value = clip_value
        self.num_parameters_per_head = self.memory_vector_dim + 2 * self.shift_range + 4
        self.num_heads = self.read_head_num + self.write_head_num
        self.total_parameter_num = (self.num_parameters_per_head * self.num_heads +
                                    self.memory_vector_dim * 2 * self.write_head_num)

    @property
    def state_size(self):
        return NTMControllerState(
            controller_state=self.controller.state_size,
            read_vector_list=[self.memory_vector_dim] * self.read_head_num,
            w_list=[self.memory_size] * self.num_heads,
            M=TensorShape([self.memory_size * self.memory_vector_dim]), time=TensorShape([]))

    @property
    def output_size(self):
        return self.output_dim

    def zero_state(self, batch_size, dtype):
        with name_scope(type(self).__name__ + "ZeroState"):
            def zeros(*dims):
                return array_ops.zeros(array_ops.stack([batch_size] + list(dims)), dtype=dtype)
            return NTMControllerState(
                controller_state=self.controller.zero_state(batch_size, dtype),
                read_vector_list=[zeros(self.memory_vector_dim) for _ in range(self.read_head_num)],
                w_list=[zeros(self.memory_size) for _ in range(self.num_heads)],
                M=zeros(self.memory_size, self.memory_vector_dim), time=convert_to_tensor(0, dtype=dtypes.int32))

    def build(self, input_depth):
        dtype = self._build_dtype
        if self.output_dim is None:
            self.output_dim = int(input_depth)
        controller_size = int(self.controller.output_size)
        read_size = self.memory_vector_dim * self.read_head_num

        def fan_in_normal(fan_in):
            return truncated_normal_initializer(stddev=1.0 / np.sqrt(fan_in), dtype=dtype)
        self._params = (self._add_variable("parameters_kernel", [controller_size, self.total_parameter_num], dtype,
                                           fan_in_normal(controller_size)),
                        self._add_variable("parameters_bias", [self.total_parameter_num], dtype, zeros_initializer()))
        self._output = (self._add_variable("output_kernel", [controller_size + read_size, self.output_dim], dtype,
                                           fan_in_normal(controller_size + read_size)),
                        self._add_variable("output_bias", [self.output_dim], dtype, zeros_initializer()))
        self._initial_reads = [self._add_variable("initial_read_vector_%d" % i, [1, self.memory_vector_dim], dtype,
                                                  glorot_uniform_initializer()) for i in range(self.read_head_num)]
        self._initial_addresses = [self._add_variable("initial_address_weights_%d" % i, [1, self.memory_size], dtype,
                                                      glorot_uniform_initializer()) for i in range(self.num_heads)]
        self._memory = self._add_variable("memory", [self.memory_size, self.memory_vector_dim], dtype,
                                          constant_initializer(1e-6))
        self.controller._maybe_build(int(input_depth) + read_size, dtype)

    @property
    def variables(self):
        return list(getattr(self, "_variables", [])) + self.controller.variables

    def _at_start(self, time, initial, previous):
        """`initial()` at time 0, else `previous` (a list of tensors, or one tensor)."""
        return cond(math_ops.equal(time, 0), initial, lambda: previous)

    def call(self, inputs, state):
        batch = array_ops.shape(inputs)[0]

        def tiled(row):
            return array_ops.tile(row, array_ops.stack([batch, 1]))
        reads = self._at_start(state.time, lambda: [math_ops.tanh(tiled(v)) for v in self._initial_reads],
                               list(state.read_vector_list))
        controller_output, controller_state = self.controller(array_ops.concat([inputs] + _as_list(reads), 1),
                                                              state.controller_state)
        parameters = math_ops.clip_by_value(_linear([controller_output], *self._params), -self.clip_value,
                                            self.clip_value)
        head_width = self.num_parameters_per_head * self.num_heads
        heads = array_ops.split(parameters[:, :head_width], self.num_heads, axis=1)
        erase_add = array_ops.split(parameters[:, head_width:], 2 * self.write_head_num, axis=1) \
            if self.write_head_num else []
        previous_w = _as_list(self._at_start(state.time, lambda: [nn_ops.softmax(tiled(v))
                                                                  for v in self._initial_addresses],
                                             list(state.w_list)))
        previous_memory = self._at_start(
            state.time, lambda: array_ops.tile(array_ops.expand_dims(self._memory, 0), array_ops.stack([batch, 1, 1])),
            state.M)
        dim = self.memory_vector_dim
        w_list = []
        for head, prev_w in zip(heads, previous_w):
            key = math_ops.tanh(head[:, :dim])
            strength = nn_ops.softplus(head[:, dim])
            gate = math_ops.sigmoid(head[:, dim + 1])
            shift = nn_ops.softmax(head[:, dim + 2:dim + 3 + 2 * self.shift_range])
            sharpen = nn_ops.softplus(head[:, -1]) + 1.0
            w_list.append(self._address(key, strength, gate, shift, sharpen, previous_memory, prev_w))
        read_vectors = [math_ops.reduce_sum(array_ops.expand_dims(w, 2) * previous_memory, axis=1)
                        for w in w_list[:self.read_head_num]]
        memory = previous_memory
        for i, w in enumerate(w_list[self.read_head_num:]):
            w = array_ops.expand_dims(w, 2)
            erase = array_ops.expand_dims(math_ops.sigmoid(erase_add[2 * i]), 1)
            add = array_ops.expand_dims(math_ops.tanh(erase_add[2 * i + 1]), 1)
            memory = memory * (1.0 - math_ops.matmul(w, erase)) + math_ops.matmul(w, add)
        output = math_ops.clip_by_value(_linear([array_ops.concat([controller_output] + read_vectors, 1)],
                                                *self._output), -self.clip_value, self.clip_value)
        return output, NTMControllerState(controller_state=controller_state, read_vector_list=read_vectors,
                                          w_list=w_list, M=memory, time=math_ops.add(state.time, 1))

    def _address(self, key, strength, gate, shift, sharpen, memory, previous_w):
        # Content: softmax of strength x cosine similarity (the 1e-8 keeps zero rows finite).
        similarity = array_ops.squeeze(math_ops.matmul(memory, array_ops.expand_dims(key, 2)), [2])
        norms = math_ops.sqrt(math_ops.reduce_sum(math_ops.square(memory), axis=2)) * \
            math_ops.sqrt(math_ops.reduce_sum(math_ops.square(key), axis=1, keepdims=True))
        amplified = math_ops.exp(array_ops.expand_dims(strength, 1) * similarity / (norms + 1e-8))
        content = amplified / math_ops.reduce_sum(amplified, axis=1, keepdims=True)
        gate = array_ops.expand_dims(gate, 1)
        interpolated = gate * content + (1.0 - gate) * previous_w
        # Location: circular convolution with the shift weights laid out as shifts 0..R, then -R..-1.
        size, reach = self.memory_size, self.shift_range
        padding = array_ops.zeros(array_ops.stack([array_ops.shape(shift)[0], size - (2 * reach + 1)]),
                                  dtype=shift.dtype)
        shifts = array_ops.concat([shift[:, :reach + 1], padding, shift[:, reach + 1:]], 1)
        offsets = (np.arange(size)[:, None] - np.arange(size)[None, :]) % size
        kernel = array_ops.gather(shifts, offsets.astype(np.int32), axis=1)
        shifted = math_ops.reduce_sum(array_ops.expand_dims(interpolated, 1) * kernel, axis=2)
        sharpened = math_ops.pow(shifted, array_ops.expand_dims(sharpen, 1))
        return sharpened / math_ops.reduce_sum(sharpened, axis=1, keepdims=True)


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]
