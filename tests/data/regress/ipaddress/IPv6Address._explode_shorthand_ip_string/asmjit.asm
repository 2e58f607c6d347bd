JIT: cinderx/Jit/codegen/gen_asm.cpp:1695 -- Disassembly for ipaddress:IPv6Address._explode_shorthand_ip_string

Reentry with processed args
  0x00005502f21be0:        stp x29, x30, [sp, #-0x10]!
  0x00005502f21be4:        mov x29, sp
  0x00005502f21be8:        b #0x5502f21c14

Set up frame pointer
  0x00005502f21bec:        stp x29, x30, [sp, #-0x10]!
  0x00005502f21bf0:        mov x29, sp

Keyword argument dispatch
  0x00005502f21bf4:        tst x3, x3
  0x00005502f21bf8:        b.eq #0x5502f21c04
  0x00005502f21bfc:        bl #0x5501954fe0
  0x00005502f21c00:        b #0x5502f22198

Check if called with correct argcount
  0x00005502f21c04:        cmp w2, #1
  0x00005502f21c08:        b.eq #0x5502f21c14
  0x00005502f21c0c:        bl #0x5501954bc4
  0x00005502f21c10:        b #0x5502f22198

Load vectorcall arguments
  0x00005502f21c14:        mov x10, x1
  0x00005502f21c18:        ldr x1, [x10]

Allocate stack frame
  0x00005502f21c1c:        sub sp, sp, #0x140

Save callee-saved registers
  0x00005502f21c20:        sub x13, x29, #0xc0
  0x00005502f21c24:        stp x19, x20, [x13, #-0x10]
  0x00005502f21c28:        stp x21, x22, [x13, #-0x20]
  0x00005502f21c2c:        stp x23, x24, [x13, #-0x30]
  0x00005502f21c30:        stp x25, x26, [x13, #-0x40]
  0x00005502f21c34:        stp x27, x28, [x13, #-0x50]

v33:Func = LoadCurrentFunc
  0x00005502f21c38:        mov x19, x0

LoadFrame
  0x00005502f21c3c:        mov x21, x1
  0x00005502f21c40:        mov x20, x0

Lightweight frame: load thread state
  0x00005502f21c44:        bl #0x5502f221d8
  0x00005502f21c48:        mov x22, x0

Lightweight frame: load frame addr
  0x00005502f21c4c:        sub x23, x29, #0x90

Lightweight frame: load prev frame
  0x00005502f21c50:        ldr x0, [x22, #0x48]

Lightweight frame: initialize frame
  0x00005502f21c54:        adrp x1, #0x5501554000
  0x00005502f21c58:        add x1, x1, #0x6c0
  0x00005502f21c5c:        ldp x2, x3, [x20, #0x10]
  0x00005502f21c60:        adrp x4, #0x5501554000
  0x00005502f21c64:        add x4, x4, #0x790
  0x00005502f21c68:        sub x5, x29, #0x40
  0x00005502f21c6c:        mov w6, #1

Store tstate, frame_header_func
  0x00005502f21c70:        stp x22, xzr, [x23, #-0x10]

Store executable, previous
  0x00005502f21c74:        stp x1, x0, [x23]

Store funcobj, globals
  0x00005502f21c78:        stp x20, x2, [x23, #0x10]

Store builtins, zero
  0x00005502f21c7c:        stp x3, xzr, [x23, #0x20]

Store zero, instr_ptr
  0x00005502f21c80:        stp xzr, x4, [x23, #0x30]

Store stackpointer
  0x00005502f21c84:        str x5, [x23, #0x40]

Store zero
  0x00005502f21c88:        strh wzr, [x23, #0x48]

Store owner
  0x00005502f21c8c:        strb wzr, [x23, #0x4a]

Store frame_flags_byte
  0x00005502f21c90:        strb w6, [x23, #0x4b]

Zero localsplus
  0x00005502f21c94:        stp xzr, xzr, [x23, #0x50]
  0x00005502f21c98:        stp xzr, xzr, [x23, #0x60]
  0x00005502f21c9c:        str xzr, [x23, #0x70]

Incref executable / reifier
  0x00005502f21ca0:        ldr w0, [x1]
  0x00005502f21ca4:        adds w0, w0, #1
  0x00005502f21ca8:        b.mi #0x5502f21cb0

LoadFrame
  0x00005502f21cac:        str w0, [x1]

Set _PyInterpreterFrame as topmost frame
  0x00005502f21cb0:        str x23, [x22, #0x48]
  0x00005502f21cb4:        mov x20, xzr
  0x00005502f21cb8:        ldr x0, [x19, #0x48]
  0x00005502f21cbc:        ldr x24, [x0, #0x20]
  0x00005502f21cc0:        ldr w0, [x24]
  0x00005502f21cc4:        adds w0, w0, #1
  0x00005502f21cc8:        b.mi #0x5502f21cd0

Incref v36
  0x00005502f21ccc:        str w0, [x24]

InitFrameCellVars<1> v33
  0x00005502f21cd0:        mov x0, x19
  0x00005502f21cd4:        mov w1, #1
  0x00005502f21cd8:        mov x2, x23
  0x00005502f21cdc:        bl #0x55019536a0

v37:CInt64 = LoadEvalBreaker
  0x00005502f21ce0:        ldr x0, [x22, #0x18]

CondBranch<4, 3> v37
  0x00005502f21ce4:        cbz x0, #0x5502f21d00

UpdatePrevInstr<idx:1 line_no:1960: no parent>
  0x00005502f21ce8:        adrp x0, #0x5501554000
  0x00005502f21cec:        add x0, x0, #0x792
  0x00005502f21cf0:        str x0, [x23, #0x38]

v74:CInt32 = RunPeriodicTasks {
  LiveValues<3> b:v32 unc:v34 o:v36
  FrameState {
    CurInstrOffset 2
    Locals<4> v32 v34 v34 v34
    Cells<1> v36
  }
}
  0x00005502f21cf4:        mov x0, x22
  0x00005502f21cf8:        bl #0x5502f221f8
  0x00005502f21cfc:        tbnz w0, #0x1f, #0x5502f220e8

UpdatePrevInstr<idx:3 line_no:1961: no parent>
  0x00005502f21d00:        adrp x0, #0x5501554000
  0x00005502f21d04:        add x0, x0, #0x796
  0x00005502f21d08:        str x0, [x23, #0x38]

v38:Object = LoadAttr<-1; "ipv4_mapped"> v32 {
  LiveValues<3> b:v32 unc:v34 o:v36
  FrameState {
    CurInstrOffset 6
    Locals<4> v32 v34 v34 v34
    Cells<1> v36
  }
}
  0x00005502f21d0c:        adrp x19, #0x5501526000
  0x00005502f21d10:        add x19, x19, #0x3b0
  0x00005502f21d14:        mov x0, #0x20f0
  0x00005502f21d18:        movk x0, #0x17c, lsl #16
  0x00005502f21d1c:        ldr x25, [x0]
  0x00005502f21d20:        mov x0, x21
  0x00005502f21d24:        mov x1, x19
  0x00005502f21d28:        mov x2, #0x20f0
  0x00005502f21d2c:        movk x2, #0x17c, lsl #16
  0x00005502f21d30:        blr x25
  0x00005502f21d34:        mov x19, x0
  0x00005502f21d38:        cbz x19, #0x5502f220f0

v40:ImmortalNoneType = LoadConst<ImmortalNoneType>
  0x00005502f21d3c:        mov x25, #0x2d98
  0x00005502f21d40:        movk x25, #0xb0, lsl #16

v41:CBool = PrimitiveCompare<NotEqual> v38 v40
  0x00005502f21d44:        cmp x19, x25

CondBranch<2, 1> v41
  0x00005502f21d48:        b.ne #0x5502f21e20

v42:OptObject = LoadGlobalCached<1>
  0x00005502f21d4c:        ldr x0, #0x5502f221a4
  0x00005502f21d50:        ldr x25, [x0]

v43:ImmortalTypeExact[super:obj] = GuardIs<0xb10eb8> v42 {
  Descr 'LOAD_GLOBAL: super'
  LiveValues<5> b:v32 unc:v34 o:v36 o:v38 b:v42
  FrameState {
    CurInstrOffset 36
    Locals<4> v32 v38 v34 v34
    Cells<1> v36
  }
}
  0x00005502f21d54:        mov x0, #0xeb8
  0x00005502f21d58:        movk x0, #0xb1, lsl #16
  0x00005502f21d5c:        cmp x25, x0
  0x00005502f21d60:        b.ne #0x5502f22108

v44:OptObject = LoadCellItem v36
  0x00005502f21d64:        ldr x26, [x24, #0x10]

v45:Object = CheckFreevar<"__class__"> v44 {
  LiveValues<6> b:v32 unc:v34 o:v36 o:v38 unc:v43 b:v44
  FrameState {
    CurInstrOffset 46
    Locals<4> v32 v38 v34 v34
    Cells<1> v36
    Stack<1> v43
  }
}
  0x00005502f21d68:        cbz x26, #0x5502f22110
  0x00005502f21d6c:        cbz x26, #0x5502f22110

CondBranchCheckType<14, 13, Type> v45
  0x00005502f21d70:        mov x0, x26
  0x00005502f21d74:        bl #0x55019537e0
  0x00005502f21d78:        cbnz w0, #0x5502f21d80

Deopt {
  LiveValues<6> b:v32 unc:v34 o:v36 o:v38 unc:v43 b:v45
  FrameState {
    CurInstrOffset 50
    Locals<4> v32 v38 v34 v34
    Cells<1> v36
    Stack<3> v43 v45 v32
  }
}
  0x00005502f21d7c:        b #0x5502f22150

Incref v46
  0x00005502f21d80:        ldr w0, [x26]
  0x00005502f21d84:        adds w0, w0, #1
  0x00005502f21d88:        b.mi #0x5502f21d90
  0x00005502f21d8c:        str w0, [x26]

UpdatePrevInstr<idx:25 line_no:1963: no parent>
  0x00005502f21d90:        adrp x0, #0x5501554000
  0x00005502f21d94:        add x0, x0, #0x7c2
  0x00005502f21d98:        str x0, [x23, #0x38]

v47:Object, v48:OptObject = LoadMethodSuper<2 true> v43 v46 v32 {
  LiveValues<6> b:v32 unc:v34 o:v36 o:v38 unc:v43 o:v46
  FrameState {
    CurInstrOffset 50
    Locals<4> v32 v38 v34 v34
    Cells<1> v36
  }
}
  0x00005502f21d9c:        ldr x23, #0x5502f221ac
  0x00005502f21da0:        mov x0, x25
  0x00005502f21da4:        mov x1, x26
  0x00005502f21da8:        mov x2, x21
  0x00005502f21dac:        mov x3, x23
  0x00005502f21db0:        mov w4, #1
  0x00005502f21db4:        bl #0x55019537f0
  0x00005502f21db8:        mov x23, x0
  0x00005502f21dbc:        mov x25, x1
  0x00005502f21dc0:        cbz x23, #0x5502f22140

Decref v46
  0x00005502f21dc4:        ldr x0, [x26]
  0x00005502f21dc8:        tbnz w0, #0x1f, #0x5502f21de0
  0x00005502f21dcc:        subs x0, x0, #1
  0x00005502f21dd0:        str x0, [x26]
  0x00005502f21dd4:        b.ne #0x5502f21de0
  0x00005502f21dd8:        mov x0, x26
  0x00005502f21ddc:        bl #0x5502f22228

v49:Object = CallMethod<2> v47 v48 {
  LiveValues<6> b:v32 unc:v34 o:v36 o:v38 o:v47 o:v48
  FrameState {
    CurInstrOffset 54
    Locals<4> v32 v38 v34 v34
    Cells<1> v36
  }
}
  0x00005502f21de0:        mov x0, x22
  0x00005502f21de4:        mov x1, x23
  0x00005502f21de8:        add x2, sp, #8
  0x00005502f21dec:        mov x3, #-0x7fffffffffffffff
  0x00005502f21df0:        str x25, [x2]
  0x00005502f21df4:        eor x4, x4, x4
  0x00005502f21df8:        bl #0x550194f540
  0x00005502f21dfc:        mov x26, x0
  0x00005502f21e00:        cbz x26, #0x5502f22148

BatchDecref v36 v38 v47 v48
  0x00005502f21e04:        mov x0, sp
  0x00005502f21e08:        mov x1, #4
  0x00005502f21e0c:        stp x24, x19, [x0]
  0x00005502f21e10:        stp x23, x25, [x0, #0x10]
  0x00005502f21e14:        bl #0x5501950d24

Return v49
  0x00005502f21e18:        mov x19, x26
  0x00005502f21e1c:        b #0x5502f220b8

v50:ImmortalLongExact[30] = LoadConst<ImmortalLongExact[30]>
  0x00005502f21e20:        mov x26, #0xf8d0
  0x00005502f21e24:        movk x26, #0xb4, lsl #16

v52:OptObject = LoadGlobalCached<1>
  0x00005502f21e28:        ldr x0, #0x5502f221a4
  0x00005502f21e2c:        ldr x27, [x0]

v53:ImmortalTypeExact[super:obj] = GuardIs<0xb10eb8> v52 {
  Descr 'LOAD_GLOBAL: super'
  LiveValues<6> b:v32 unc:v34 o:v36 o:v38 unc:v50 b:v52
  FrameState {
    CurInstrOffset 66
    Locals<4> v32 v38 v34 v34
    Cells<1> v36
    Stack<1> v50
  }
}
  0x00005502f21e30:        mov x0, #0xeb8
  0x00005502f21e34:        movk x0, #0xb1, lsl #16
  0x00005502f21e38:        cmp x27, x0
  0x00005502f21e3c:        b.ne #0x5502f220f8

v54:OptObject = LoadCellItem v36
  0x00005502f21e40:        ldr x28, [x24, #0x10]

v55:Object = CheckFreevar<"__class__"> v54 {
  LiveValues<7> b:v32 unc:v34 o:v36 o:v38 unc:v50 unc:v53 b:v54
  FrameState {
    CurInstrOffset 78
    Locals<4> v32 v38 v50 v34
    Cells<1> v36
    Stack<1> v53
  }
}
  0x00005502f21e44:        cbz x28, #0x5502f22100
  0x00005502f21e48:        cbz x28, #0x5502f22100

CondBranchCheckType<6, 5, Type> v55
  0x00005502f21e4c:        mov x0, x28
  0x00005502f21e50:        bl #0x55019537e0
  0x00005502f21e54:        cbnz w0, #0x5502f21e5c

Deopt {
  LiveValues<7> b:v32 unc:v34 o:v36 o:v38 unc:v50 unc:v53 b:v55
  FrameState {
    CurInstrOffset 82
    Locals<4> v32 v38 v50 v34
    Cells<1> v36
    Stack<3> v53 v55 v32
  }
}
  0x00005502f21e58:        b #0x5502f22138

Incref v56
  0x00005502f21e5c:        ldr w0, [x28]
  0x00005502f21e60:        adds w0, w0, #1
  0x00005502f21e64:        b.mi #0x5502f21e6c
  0x00005502f21e68:        str w0, [x28]

UpdatePrevInstr<idx:41 line_no:1965: no parent>
  0x00005502f21e6c:        adrp x0, #0x5501554000
  0x00005502f21e70:        add x0, x0, #0x7e2
  0x00005502f21e74:        str x0, [x23, #0x38]

v57:Object, v58:OptObject = LoadMethodSuper<2 true> v53 v56 v32 {
  LiveValues<7> b:v32 unc:v34 o:v36 o:v38 unc:v50 unc:v53 o:v56
  FrameState {
    CurInstrOffset 82
    Locals<4> v32 v38 v50 v34
    Cells<1> v36
  }
}
  0x00005502f21e78:        ldr x0, #0x5502f221ac
  0x00005502f21e7c:        str x0, [sp, #0x90]
  0x00005502f21e80:        mov x0, x27
  0x00005502f21e84:        mov x1, x28
  0x00005502f21e88:        mov x2, x21
  0x00005502f21e8c:        ldr x3, [sp, #0x90]
  0x00005502f21e90:        mov w4, #1
  0x00005502f21e94:        bl #0x55019537f0
  0x00005502f21e98:        mov x27, x0
  0x00005502f21e9c:        mov x0, x1
  0x00005502f21ea0:        cbz x27, #0x5502f22118

Decref v56
  0x00005502f21ea4:        ldr x1, [x28]
  0x00005502f21ea8:        tbz w1, #0x1f, #0x5502f21eb8

--unassigned--
  0x00005502f21eac:        str x19, [sp, #0x88]
  0x00005502f21eb0:        mov x19, x0
  0x00005502f21eb4:        b #0x5502f21ee0

Decref v56
  0x00005502f21eb8:        subs x1, x1, #1
  0x00005502f21ebc:        str x1, [x28]
  0x00005502f21ec0:        b.eq #0x5502f21ed0

--unassigned--
  0x00005502f21ec4:        str x19, [sp, #0x88]
  0x00005502f21ec8:        mov x19, x0
  0x00005502f21ecc:        b #0x5502f21ee0

Decref v56
  0x00005502f21ed0:        str x19, [sp, #0x88]
  0x00005502f21ed4:        mov x19, x0
  0x00005502f21ed8:        mov x0, x28
  0x00005502f21edc:        bl #0x5502f22228

v59:Object = CallMethod<2> v57 v58 {
  LiveValues<7> b:v32 unc:v34 o:v36 o:v38 unc:v50 o:v57 o:v58
  FrameState {
    CurInstrOffset 86
    Locals<4> v32 v38 v50 v34
    Cells<1> v36
  }
}
  0x00005502f21ee0:        mov x0, x22
  0x00005502f21ee4:        mov x1, x27
  0x00005502f21ee8:        add x2, sp, #8
  0x00005502f21eec:        mov x3, #-0x7fffffffffffffff
  0x00005502f21ef0:        str x19, [x2]
  0x00005502f21ef4:        eor x4, x4, x4
  0x00005502f21ef8:        bl #0x550194f540
  0x00005502f21efc:        mov x28, x0
  0x00005502f21f00:        cbz x28, #0x5502f22120

UpdatePrevInstr<idx:49 line_no:1966: no parent>
  0x00005502f21f04:        adrp x0, #0x5501554000
  0x00005502f21f08:        add x0, x0, #0x7f2
  0x00005502f21f0c:        str x0, [x23, #0x38]

Decref v57
  0x00005502f21f10:        ldr x0, [x27]
  0x00005502f21f14:        tbnz w0, #0x1f, #0x5502f21f2c
  0x00005502f21f18:        subs x0, x0, #1
  0x00005502f21f1c:        str x0, [x27]
  0x00005502f21f20:        b.ne #0x5502f21f2c
  0x00005502f21f24:        mov x0, x27
  0x00005502f21f28:        bl #0x5502f22228

XDecref v58
  0x00005502f21f2c:        cbz x19, #0x5502f21f4c
  0x00005502f21f30:        ldr x0, [x19]
  0x00005502f21f34:        tbnz w0, #0x1f, #0x5502f21f4c
  0x00005502f21f38:        subs x0, x0, #1
  0x00005502f21f3c:        str x0, [x19]
  0x00005502f21f40:        b.ne #0x5502f21f4c
  0x00005502f21f44:        mov x0, x19
  0x00005502f21f48:        bl #0x5502f22228

v62:MortalSlice = BuildSlice<2> v40 v50 {
  LiveValues<6> b:v32 o:v36 o:v38 unc:v40 unc:v50 o:v59
  FrameState {
    CurInstrOffset 102
    Locals<4> v32 v38 v50 v59
    Cells<1> v36
    Stack<1> v59
  }
}
  0x00005502f21f4c:        mov x0, x25
  0x00005502f21f50:        mov x1, x26
  0x00005502f21f54:        mov x2, xzr
  0x00005502f21f58:        bl #0x5502f22258
  0x00005502f21f5c:        mov x19, x0
  0x00005502f21f60:        cbz x19, #0x5502f22128

v63:Object = BinaryOp<Subscript> v59 v62 {
  LiveValues<6> b:v32 o:v36 o:v38 unc:v50 o:v59 o:v62
  FrameState {
    CurInstrOffset 102
    Locals<4> v32 v38 v50 v59
    Cells<1> v36
  }
}
  0x00005502f21f64:        mov x0, x28
  0x00005502f21f68:        mov x1, x19
  0x00005502f21f6c:        bl #0x5502f22268
  0x00005502f21f70:        mov x25, x0
  0x00005502f21f74:        cbz x25, #0x5502f22130

Decref v62
  0x00005502f21f78:        ldr x0, [x19]
  0x00005502f21f7c:        tbnz w0, #0x1f, #0x5502f21f94
  0x00005502f21f80:        subs x0, x0, #1
  0x00005502f21f84:        str x0, [x19]
  0x00005502f21f88:        b.ne #0x5502f21f94
  0x00005502f21f8c:        mov x0, x19
  0x00005502f21f90:        bl #0x5502f22278

CondBranchCheckType<9, 8, UnicodeExact> v63
  0x00005502f21f94:        ldr x0, [x25, #8]
  0x00005502f21f98:        mov x1, #0x4558
  0x00005502f21f9c:        movk x1, #0xb1, lsl #16
  0x00005502f21fa0:        cmp x0, x1
  0x00005502f21fa4:        b.eq #0x5502f21fe8

UpdatePrevInstr<idx:52 line_no:1966: no parent>
  0x00005502f21fa8:        adrp x0, #0x5501554000
  0x00005502f21fac:        add x0, x0, #0x7f8
  0x00005502f21fb0:        str x0, [x23, #0x38]

v72:Unicode = FormatWithSpec v63 v34 {
  LiveValues<7> b:v32 unc:v34 o:v36 o:v38 unc:v50 o:v59 o:v63
  FrameState {
    CurInstrOffset 104
    Locals<4> v32 v38 v50 v59
    Cells<1> v36
  }
}
  0x00005502f21fb4:        mov x0, x25
  0x00005502f21fb8:        mov x1, x20
  0x00005502f21fbc:        bl #0x5502f22288
  0x00005502f21fc0:        mov x19, x0
  0x00005502f21fc4:        cbz x19, #0x5502f22158

Decref v63
  0x00005502f21fc8:        ldr x0, [x25]
  0x00005502f21fcc:        tbnz w0, #0x1f, #0x5502f21fe4
  0x00005502f21fd0:        subs x0, x0, #1
  0x00005502f21fd4:        str x0, [x25]
  0x00005502f21fd8:        b.ne #0x5502f21fe4
  0x00005502f21fdc:        mov x0, x25
  0x00005502f21fe0:        bl #0x5502f22228

--unassigned--
  0x00005502f21fe4:        b #0x5502f21fec
  0x00005502f21fe8:        mov x19, x25

UpdatePrevInstr<idx:54 line_no:1966: no parent>
  0x00005502f21fec:        adrp x0, #0x5501554000
  0x00005502f21ff0:        add x0, x0, #0x7fc
  0x00005502f21ff4:        str x0, [x23, #0x38]

v65:Object = ConvertValue<Str> v38 {
  LiveValues<6> b:v32 o:v36 o:v38 unc:v50 o:v59 o:v64
  FrameState {
    CurInstrOffset 108
    Locals<4> v32 v38 v50 v59
    Cells<1> v36
    Stack<1> v64
  }
}
  0x00005502f21ff8:        ldr x0, [sp, #0x88]
  0x00005502f21ffc:        bl #0x5502f22298
  0x00005502f22000:        mov x25, x0
  0x00005502f22004:        cbz x25, #0x5502f22160

CondBranchCheckType<12, 11, UnicodeExact> v65
  0x00005502f22008:        ldr x0, [x25, #8]
  0x00005502f2200c:        mov x1, #0x4558
  0x00005502f22010:        movk x1, #0xb1, lsl #16
  0x00005502f22014:        cmp x0, x1
  0x00005502f22018:        b.eq #0x5502f2205c

UpdatePrevInstr<idx:55 line_no:1966: no parent>
  0x00005502f2201c:        adrp x0, #0x5501554000
  0x00005502f22020:        add x0, x0, #0x7fe
  0x00005502f22024:        str x0, [x23, #0x38]

v69:Unicode = FormatWithSpec v65 v34 {
  LiveValues<8> b:v32 unc:v34 o:v36 o:v38 unc:v50 o:v59 o:v64 o:v65
  FrameState {
    CurInstrOffset 110
    Locals<4> v32 v38 v50 v59
    Cells<1> v36
    Stack<1> v64
  }
}
  0x00005502f22028:        mov x0, x25
  0x00005502f2202c:        mov x1, x20
  0x00005502f22030:        bl #0x5502f22288
  0x00005502f22034:        mov x20, x0
  0x00005502f22038:        cbz x20, #0x5502f22168

Decref v65
  0x00005502f2203c:        ldr x0, [x25]
  0x00005502f22040:        tbnz w0, #0x1f, #0x5502f22058
  0x00005502f22044:        subs x0, x0, #1
  0x00005502f22048:        str x0, [x25]
  0x00005502f2204c:        b.ne #0x5502f22058
  0x00005502f22050:        mov x0, x25
  0x00005502f22054:        bl #0x5502f22228

--unassigned--
  0x00005502f22058:        b #0x5502f22060
  0x00005502f2205c:        mov x20, x25

v67:MortalUnicode = BuildString v64 v66 {
  LiveValues<7> b:v32 o:v36 o:v38 unc:v50 o:v59 o:v64 o:v66
  FrameState {
    CurInstrOffset 112
    Locals<4> v32 v38 v50 v59
    Cells<1> v36
  }
}
  0x00005502f22060:        mov x0, xzr
  0x00005502f22064:        mov x1, xzr
  0x00005502f22068:        add x2, sp, #8
  0x00005502f2206c:        mov x3, #2
  0x00005502f22070:        movk x3, #0x8000, lsl #48
  0x00005502f22074:        stp x19, x20, [x2]
  0x00005502f22078:        eor x4, x4, x4
  0x00005502f2207c:        bl #0x55019b1260
  0x00005502f22080:        mov x25, x0
  0x00005502f22084:        cbz x25, #0x5502f22170

UpdatePrevInstr<idx:57 line_no:1966: no parent>
  0x00005502f22088:        adrp x0, #0x5501554000
  0x00005502f2208c:        add x0, x0, #0x802
  0x00005502f22090:        str x0, [x23, #0x38]

BatchDecref v36 v38 v59 v64 v66
  0x00005502f22094:        mov x0, sp
  0x00005502f22098:        mov x1, #5
  0x00005502f2209c:        str x24, [x0]
  0x00005502f220a0:        ldr x13, [sp, #0x88]
  0x00005502f220a4:        str x13, [x0, #8]
  0x00005502f220a8:        stp x28, x19, [x0, #0x10]
  0x00005502f220ac:        str x20, [x0, #0x20]
  0x00005502f220b0:        bl #0x5501950d24

Return v67
  0x00005502f220b4:        mov x19, x25

--unassigned--
  0x00005502f220b8:        mov x0, x22

Unlink frame
  0x00005502f220bc:        bl #0x55019539a0

Epilogue
  0x00005502f220c0:        mov x0, x19
  0x00005502f220c4:        sub x13, x29, #0xc0
  0x00005502f220c8:        ldp x19, x20, [x13, #-0x10]
  0x00005502f220cc:        ldp x21, x22, [x13, #-0x20]
  0x00005502f220d0:        ldp x23, x24, [x13, #-0x30]
  0x00005502f220d4:        ldp x25, x26, [x13, #-0x40]
  0x00005502f220d8:        ldp x27, x28, [x13, #-0x50]
  0x00005502f220dc:        mov sp, x29
  0x00005502f220e0:        ldp x29, x30, [sp], #0x10
  0x00005502f220e4:        ret 

Stage 1 deoptimization exits
  0x00005502f220e8:        mov x13, xzr
  0x00005502f220ec:        bl #0x5502f22178
  0x00005502f220f0:        mov x13, #1
  0x00005502f220f4:        bl #0x5502f22178
  0x00005502f220f8:        mov x13, #2
  0x00005502f220fc:        bl #0x5502f22178
  0x00005502f22100:        mov x13, #3
  0x00005502f22104:        bl #0x5502f22178
  0x00005502f22108:        mov x13, #4
  0x00005502f2210c:        bl #0x5502f22178
  0x00005502f22110:        mov x13, #5
  0x00005502f22114:        bl #0x5502f22178
  0x00005502f22118:        mov x13, #6
  0x00005502f2211c:        bl #0x5502f22178
  0x00005502f22120:        mov x13, #7
  0x00005502f22124:        bl #0x5502f22178
  0x00005502f22128:        mov x13, #8
  0x00005502f2212c:        bl #0x5502f22178
  0x00005502f22130:        mov x13, #9
  0x00005502f22134:        bl #0x5502f22178
  0x00005502f22138:        mov x13, #0xa
  0x00005502f2213c:        bl #0x5502f22178
  0x00005502f22140:        mov x13, #0xb
  0x00005502f22144:        bl #0x5502f22178
  0x00005502f22148:        mov x13, #0xc
  0x00005502f2214c:        bl #0x5502f22178
  0x00005502f22150:        mov x13, #0xd
  0x00005502f22154:        bl #0x5502f22178
  0x00005502f22158:        mov x13, #0xe
  0x00005502f2215c:        bl #0x5502f22178
  0x00005502f22160:        mov x13, #0xf
  0x00005502f22164:        bl #0x5502f22178
  0x00005502f22168:        mov x13, #0x10
  0x00005502f2216c:        bl #0x5502f22178
  0x00005502f22170:        mov x13, #0x11
  0x00005502f22174:        bl #0x5502f22178

Deoptimization exits
  0x00005502f22178:        sub sp, sp, #0x40
  0x00005502f2217c:        stp x28, x29, [sp]
  0x00005502f22180:        stp x30, x13, [sp, #0x30]
  0x00005502f22184:        mov x30, #0x2000
  0x00005502f22188:        movk w30, #0x17c, lsl #16
  0x00005502f2218c:        adr x28, #0x5502f220c4
  0x00005502f22190:        stp x28, x30, [sp, #0x10]
  0x00005502f22194:        b #0x5502e8e000

--unassigned--
  0x00005502f22198:        mov sp, x29
  0x00005502f2219c:        ldp x29, x30, [sp], #0x10
  0x00005502f221a0:        ret 
  0x00005502f221a4:        RAW: 0xe0
  0x00005502f221a5:        RAW: 0x05
  0x00005502f221a6:        RAW: 0x20
  0x00005502f221a7:        udf #0x5502
  0x00005502f221ab:        RAW: 0x00
  0x00005502f221ac:        RAW: 0x80
  0x00005502f221ad:        RAW: 0xb2
  0x00005502f221ae:        RAW: 0x47
  0x00005502f221af:        udf #0x5501
  0x00005502f221b3:        udf #0
  0x00005502f221b7:        RAW: 0x00

