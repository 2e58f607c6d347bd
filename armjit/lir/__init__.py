"""armjit.lir"""
