"""tf.test.StubOutForTesting, benchmark_config, disable_with_predicate, is_cpu_target_available."""
import os
import unittest

import numflow as tf


class _Target:
    value = 1

    @staticmethod
    def static():
        return "static"

    def method(self):
        return "method"


def test_stub_out_set_and_unset_all():
    stubs = tf.test.StubOutForTesting()
    stubs.Set(os.path, "exists", lambda path: "stubbed")
    stubs.Set(_Target, "static", lambda: "new static")
    assert os.path.exists("/") == "stubbed" and _Target.static() == "new static"
    stubs.UnsetAll()
    assert os.path.exists("/") is True and _Target.static() == "static"


def test_stub_out_smart_set_on_instances_and_cleanup():
    target = _Target()
    with tf.test.StubOutForTesting() as stubs:
        stubs.SmartSet(target, "method", lambda: "patched")
        stubs.SmartSet(_Target, "value", 5)
        assert target.method() == "patched" and _Target.value == 5
    assert target.method() == "method" and _Target.value == 1


def test_benchmark_config_and_cpu_target():
    config = tf.test.benchmark_config()
    assert isinstance(config, tf.ConfigProto)
    assert tf.test.is_cpu_target_available("x86") is False


def test_disable_with_predicate_skips_when_true():
    ran = []

    class Case(unittest.TestCase):
        @tf.test.disable_with_predicate(lambda: True, "not here")
        def test_skipped(self):
            ran.append("skipped")

        @tf.test.disable_with_predicate(lambda: False, "unused")
        def test_run(self):
            ran.append("run")

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    assert ran == ["run"] and [reason for _, reason in result.skipped] == ["not here"]
