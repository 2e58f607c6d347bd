"""armjit.codegen"""
