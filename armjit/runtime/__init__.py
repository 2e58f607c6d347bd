"""armjit.runtime"""
