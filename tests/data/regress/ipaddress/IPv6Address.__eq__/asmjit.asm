JIT: cinderx/Jit/codegen/gen_asm.cpp:1695 -- Disassembly for ipaddress:IPv6Address.__eq__

Reentry with processed args
  0x00005502f1fdd0:        stp x29, x30, [sp, #-0x10]!
  0x00005502f1fdd4:        mov x29, sp
  0x00005502f1fdd8:        b #0x5502f1fe04

Set up frame pointer
  0x00005502f1fddc:        stp x29, x30, [sp, #-0x10]!
  0x00005502f1fde0:        mov x29, sp

Keyword argument dispatch
  0x00005502f1fde4:        tst x3, x3
  0x00005502f1fde8:        b.eq #0x5502f1fdf4
  0x00005502f1fdec:        bl #0x5501954fe0
  0x00005502f1fdf0:        b #0x5502f2025c

Check if called with correct argcount
  0x00005502f1fdf4:        cmp w2, #2
  0x00005502f1fdf8:        b.eq #0x5502f1fe04
  0x00005502f1fdfc:        bl #0x5501954bc4
  0x00005502f1fe00:        b #0x5502f2025c

Load vectorcall arguments
  0x00005502f1fe04:        mov x10, x1
  0x00005502f1fe08:        ldp x1, x2, [x10]

Allocate stack frame
  0x00005502f1fe0c:        sub sp, sp, #0x130

Save callee-saved registers
  0x00005502f1fe10:        sub x13, x29, #0xc0
  0x00005502f1fe14:        stur x19, [x13, #-0x10]
  0x00005502f1fe18:        stp x20, x21, [x13, #-0x20]
  0x00005502f1fe1c:        stp x22, x23, [x13, #-0x30]
  0x00005502f1fe20:        stp x24, x25, [x13, #-0x40]
  0x00005502f1fe24:        stp x26, x27, [x13, #-0x50]

v33:Func = LoadCurrentFunc
  0x00005502f1fe28:        mov x19, x0

LoadFrame
  0x00005502f1fe2c:        mov x22, x2
  0x00005502f1fe30:        mov x20, x0
  0x00005502f1fe34:        mov x21, x1

Lightweight frame: load thread state
  0x00005502f1fe38:        bl #0x5502f20298
  0x00005502f1fe3c:        mov x23, x0

Lightweight frame: load frame addr
  0x00005502f1fe40:        sub x24, x29, #0xa0

Lightweight frame: load prev frame
  0x00005502f1fe44:        ldr x0, [x23, #0x48]

Lightweight frame: initialize frame
  0x00005502f1fe48:        adrp x1, #0x550147c000
  0x00005502f1fe4c:        add x1, x1, #0x5b0
  0x00005502f1fe50:        ldp x2, x3, [x20, #0x10]
  0x00005502f1fe54:        adrp x4, #0x550147c000
  0x00005502f1fe58:        add x4, x4, #0x680
  0x00005502f1fe5c:        sub x5, x29, #0x50
  0x00005502f1fe60:        mov w6, #1

Store tstate, frame_header_func
  0x00005502f1fe64:        stp x23, xzr, [x24, #-0x10]

Store executable, previous
  0x00005502f1fe68:        stp x1, x0, [x24]

Store funcobj, globals
  0x00005502f1fe6c:        stp x20, x2, [x24, #0x10]

Store builtins, zero
  0x00005502f1fe70:        stp x3, xzr, [x24, #0x20]

Store zero, instr_ptr
  0x00005502f1fe74:        stp xzr, x4, [x24, #0x30]

Store stackpointer
  0x00005502f1fe78:        str x5, [x24, #0x40]

Store zero
  0x00005502f1fe7c:        strh wzr, [x24, #0x48]

Store owner
  0x00005502f1fe80:        strb wzr, [x24, #0x4a]

Store frame_flags_byte
  0x00005502f1fe84:        strb w6, [x24, #0x4b]

Zero localsplus
  0x00005502f1fe88:        stp xzr, xzr, [x24, #0x50]
  0x00005502f1fe8c:        stp xzr, xzr, [x24, #0x60]

Incref executable / reifier
  0x00005502f1fe90:        ldr w0, [x1]
  0x00005502f1fe94:        adds w0, w0, #1
  0x00005502f1fe98:        b.mi #0x5502f1fea0

LoadFrame
  0x00005502f1fe9c:        str w0, [x1]

Set _PyInterpreterFrame as topmost frame
  0x00005502f1fea0:        str x24, [x23, #0x48]
  0x00005502f1fea4:        mov x20, xzr
  0x00005502f1fea8:        ldr x0, [x19, #0x48]
  0x00005502f1feac:        ldr x25, [x0, #0x20]
  0x00005502f1feb0:        ldr w0, [x25]
  0x00005502f1feb4:        adds w0, w0, #1
  0x00005502f1feb8:        b.mi #0x5502f1fec0

Incref v36
  0x00005502f1febc:        str w0, [x25]

InitFrameCellVars<1> v33
  0x00005502f1fec0:        mov x0, x19
  0x00005502f1fec4:        mov w1, #1
  0x00005502f1fec8:        mov x2, x24
  0x00005502f1fecc:        bl #0x55019536a0

v37:CInt64 = LoadEvalBreaker
  0x00005502f1fed0:        ldr x0, [x23, #0x18]

CondBranch<6, 5> v37
  0x00005502f1fed4:        cbz x0, #0x5502f1fef0

UpdatePrevInstr<idx:1 line_no:2008: no parent>
  0x00005502f1fed8:        adrp x0, #0x550147c000
  0x00005502f1fedc:        add x0, x0, #0x682
  0x00005502f1fee0:        str x0, [x24, #0x38]

v70:CInt32 = RunPeriodicTasks {
  LiveValues<4> b:v31 b:v32 unc:v34 o:v36
  FrameState {
    CurInstrOffset 2
    Locals<3> v31 v32 v34
    Cells<1> v36
  }
}
  0x00005502f1fee4:        mov x0, x23
  0x00005502f1fee8:        bl #0x5502f202b8
  0x00005502f1feec:        tbnz w0, #0x1f, #0x5502f201d4

v38:OptObject = LoadGlobalCached<0>
  0x00005502f1fef0:        adrp x0, #0x5502200000
  0x00005502f1fef4:        add x0, x0, #0x5e0
  0x00005502f1fef8:        ldr x19, [x0]

v39:ImmortalTypeExact[super:obj] = GuardIs<0xb10eb8> v38 {
  Descr 'LOAD_GLOBAL: super'
  LiveValues<5> b:v31 b:v32 unc:v34 o:v36 b:v38
  FrameState {
    CurInstrOffset 4
    Locals<3> v31 v32 v34
    Cells<1> v36
  }
}
  0x00005502f1fefc:        mov x0, #0xeb8
  0x00005502f1ff00:        movk x0, #0xb1, lsl #16
  0x00005502f1ff04:        cmp x19, x0
  0x00005502f1ff08:        b.ne #0x5502f201dc

v40:OptObject = LoadCellItem v36
  0x00005502f1ff0c:        ldr x26, [x25, #0x10]

v41:Object = CheckFreevar<"__class__"> v40 {
  LiveValues<6> b:v31 b:v32 unc:v34 o:v36 unc:v39 b:v40
  FrameState {
    CurInstrOffset 14
    Locals<3> v31 v32 v34
    Cells<1> v36
    Stack<1> v39
  }
}
  0x00005502f1ff10:        cbz x26, #0x5502f201e4
  0x00005502f1ff14:        cbz x26, #0x5502f201e4

CondBranchCheckType<8, 7, Type> v41
  0x00005502f1ff18:        mov x0, x26
  0x00005502f1ff1c:        bl #0x55019537e0
  0x00005502f1ff20:        cbnz w0, #0x5502f1ff28

Deopt {
  LiveValues<6> b:v31 b:v32 unc:v34 o:v36 unc:v39 b:v41
  FrameState {
    CurInstrOffset 18
    Locals<3> v31 v32 v34
    Cells<1> v36
    Stack<3> v39 v41 v31
  }
}
  0x00005502f1ff24:        b #0x5502f20204

Incref v42
  0x00005502f1ff28:        ldr w0, [x26]
  0x00005502f1ff2c:        adds w0, w0, #1
  0x00005502f1ff30:        b.mi #0x5502f1ff38
  0x00005502f1ff34:        str w0, [x26]

UpdatePrevInstr<idx:9 line_no:2009: no parent>
  0x00005502f1ff38:        adrp x0, #0x550147c000
  0x00005502f1ff3c:        add x0, x0, #0x692
  0x00005502f1ff40:        str x0, [x24, #0x38]

v43:Object, v44:OptObject = LoadMethodSuper<1 true> v39 v42 v31 {
  LiveValues<6> b:v31 b:v32 unc:v34 o:v36 unc:v39 o:v42
  FrameState {
    CurInstrOffset 18
    Locals<3> v31 v32 v34
    Cells<1> v36
  }
}
  0x00005502f1ff44:        mov x27, #0x5628
  0x00005502f1ff48:        movk x27, #0xb5, lsl #16
  0x00005502f1ff4c:        mov x0, x19
  0x00005502f1ff50:        mov x1, x26
  0x00005502f1ff54:        mov x2, x21
  0x00005502f1ff58:        mov x3, x27
  0x00005502f1ff5c:        mov w4, #1
  0x00005502f1ff60:        bl #0x55019537f0
  0x00005502f1ff64:        mov x19, x0
  0x00005502f1ff68:        mov x27, x1
  0x00005502f1ff6c:        cbz x19, #0x5502f201ec

Decref v42
  0x00005502f1ff70:        ldr x0, [x26]
  0x00005502f1ff74:        tbnz w0, #0x1f, #0x5502f1ff8c
  0x00005502f1ff78:        subs x0, x0, #1
  0x00005502f1ff7c:        str x0, [x26]
  0x00005502f1ff80:        b.ne #0x5502f1ff8c
  0x00005502f1ff84:        mov x0, x26
  0x00005502f1ff88:        bl #0x5502f202e8

v45:Object = CallMethod<3> v43 v44 v32 {
  LiveValues<6> b:v31 b:v32 unc:v34 o:v36 o:v43 o:v44
  FrameState {
    CurInstrOffset 24
    Locals<3> v31 v32 v34
    Cells<1> v36
  }
}
  0x00005502f1ff8c:        mov x0, x23
  0x00005502f1ff90:        mov x1, x19
  0x00005502f1ff94:        add x2, sp, #8
  0x00005502f1ff98:        mov x3, #2
  0x00005502f1ff9c:        movk x3, #0x8000, lsl #48
  0x00005502f1ffa0:        stp x27, x22, [x2]
  0x00005502f1ffa4:        eor x4, x4, x4
  0x00005502f1ffa8:        bl #0x550194f540
  0x00005502f1ffac:        mov x26, x0
  0x00005502f1ffb0:        cbz x26, #0x5502f201f4

UpdatePrevInstr<idx:18 line_no:2010: no parent>
  0x00005502f1ffb4:        adrp x0, #0x550147c000
  0x00005502f1ffb8:        add x0, x0, #0x6a4
  0x00005502f1ffbc:        str x0, [x24, #0x38]

Decref v43
  0x00005502f1ffc0:        ldr x0, [x19]
  0x00005502f1ffc4:        tbnz w0, #0x1f, #0x5502f1ffdc
  0x00005502f1ffc8:        subs x0, x0, #1
  0x00005502f1ffcc:        str x0, [x19]
  0x00005502f1ffd0:        b.ne #0x5502f1ffdc
  0x00005502f1ffd4:        mov x0, x19
  0x00005502f1ffd8:        bl #0x5502f202e8

XDecref v44
  0x00005502f1ffdc:        cbz x27, #0x5502f1fffc
  0x00005502f1ffe0:        ldr x0, [x27]
  0x00005502f1ffe4:        tbnz w0, #0x1f, #0x5502f1fffc
  0x00005502f1ffe8:        subs x0, x0, #1
  0x00005502f1ffec:        str x0, [x27]
  0x00005502f1fff0:        b.ne #0x5502f1fffc
  0x00005502f1fff4:        mov x0, x27
  0x00005502f1fff8:        bl #0x5502f202e8

v47:OptObject = LoadGlobalCached<2>
  0x00005502f1fffc:        ldr x0, #0x5502f20270
  0x00005502f20000:        ldr x0, [x0]

Guard v47 {
  LiveValues<6> b:v31 b:v32 unc:v34 o:v36 o:v45 b:v47
  FrameState {
    CurInstrOffset 32
    Locals<3> v31 v32 v34
    Cells<1> v36
    Stack<1> v45
  }
}
  0x00005502f20004:        cbz x0, #0x5502f201fc

v50:CBool = PrimitiveCompare<Equal> v45 v48
  0x00005502f20008:        cmp x26, x0

CondBranch<1, 2> v50
  0x00005502f2000c:        b.eq #0x5502f20140

UpdatePrevInstr<idx:34 line_no:2012: no parent>
  0x00005502f20010:        adrp x0, #0x550147c000
  0x00005502f20014:        add x0, x0, #0x6c4
  0x00005502f20018:        str x0, [x24, #0x38]

v57:CBool = IsTruthy v45 {
  LiveValues<4> b:v31 b:v32 o:v36 o:v45
  FrameState {
    CurInstrOffset 68
    Locals<3> v31 v32 v45
    Cells<1> v36
  }
}
  0x00005502f2001c:        mov x0, x26
  0x00005502f20020:        bl #0x5502f20308
  0x00005502f20024:        tbnz w0, #7, #0x5502f20214

CondBranch<4, 3> v57
  0x00005502f20028:        cbnz w0, #0x5502f20080

UpdatePrevInstr<idx:41 line_no:2013: no parent>
  0x00005502f2002c:        adrp x0, #0x550147c000
  0x00005502f20030:        add x0, x0, #0x6d2
  0x00005502f20034:        str x0, [x24, #0x38]

Decref v36
  0x00005502f20038:        ldr x0, [x25]
  0x00005502f2003c:        tbnz w0, #0x1f, #0x5502f20054
  0x00005502f20040:        subs x0, x0, #1
  0x00005502f20044:        str x0, [x25]
  0x00005502f20048:        b.ne #0x5502f20054
  0x00005502f2004c:        mov x0, x25
  0x00005502f20050:        bl #0x5502f202e8

Decref v45
  0x00005502f20054:        ldr x0, [x26]
  0x00005502f20058:        tbnz w0, #0x1f, #0x5502f20070
  0x00005502f2005c:        subs x0, x0, #1
  0x00005502f20060:        str x0, [x26]
  0x00005502f20064:        b.ne #0x5502f20070
  0x00005502f20068:        mov x0, x26
  0x00005502f2006c:        bl #0x5502f202e8

v61:ImmortalBool[False] = LoadConst<ImmortalBool[False]>
  0x00005502f20070:        mov x0, #0x2f90
  0x00005502f20074:        movk x0, #0xb0, lsl #16

Return v61
  0x00005502f20078:        mov x19, x0
  0x00005502f2007c:        b #0x5502f201a4

UpdatePrevInstr<idx:44 line_no:2014: no parent>
  0x00005502f20080:        adrp x0, #0x550147c000
  0x00005502f20084:        add x0, x0, #0x6d8
  0x00005502f20088:        str x0, [x24, #0x38]

v62:Object = LoadAttr<-1; "_scope_id"> v31 {
  LiveValues<4> b:v31 b:v32 o:v36 o:v45
  FrameState {
    CurInstrOffset 88
    Locals<3> v31 v32 v45
    Cells<1> v36
  }
}
  0x00005502f2008c:        ldr x19, #0x5502f20268
  0x00005502f20090:        mov x0, #0x60f0
  0x00005502f20094:        movk x0, #0x148, lsl #16
  0x00005502f20098:        ldr x20, [x0]
  0x00005502f2009c:        mov x0, x21
  0x00005502f200a0:        mov x1, x19
  0x00005502f200a4:        mov x2, #0x60f0
  0x00005502f200a8:        movk x2, #0x148, lsl #16
  0x00005502f200ac:        blr x20
  0x00005502f200b0:        mov x19, x0
  0x00005502f200b4:        cbz x19, #0x5502f2021c

v63:OptObject = LoadGlobalCached<4>
  0x00005502f200b8:        adrp x0, #0x5502200000
  0x00005502f200bc:        add x0, x0, #0x5e8
  0x00005502f200c0:        ldr x0, [x0]

v64:MortalObjectUser[builtin_function_or_method:getattr:0x5500c90040] = GuardIs<0x5500c90040> v63 {
  Descr 'LOAD_GLOBAL: getattr'
  LiveValues<6> b:v31 b:v32 o:v36 o:v45 o:v62 b:v63
  FrameState {
    CurInstrOffset 108
    Locals<3> v31 v32 v45
    Cells<1> v36
    Stack<1> v62
  }
}
  0x00005502f200c4:        adrp x1, #0x5500c90000
  0x00005502f200c8:        add x1, x1, #0x40
  0x00005502f200cc:        cmp x0, x1
  0x00005502f200d0:        b.ne #0x5502f20224

v67:ImmortalNoneType = LoadConst<ImmortalNoneType>
  0x00005502f200d4:        mov x20, #0x2d98
  0x00005502f200d8:        movk x20, #0xb0, lsl #16

v72:OptObject = LoadAttr<-1; "_scope_id", default> v32 v67 {
  LiveValues<6> b:v31 b:v32 o:v36 o:v45 o:v62 unc:v67
  FrameState {
    CurInstrOffset 124
    Locals<3> v31 v32 v45
    Cells<1> v36
    Stack<1> v62
  }
}
  0x00005502f200dc:        ldr x27, #0x5502f20268
  0x00005502f200e0:        mov x0, x22
  0x00005502f200e4:        mov x1, x27
  0x00005502f200e8:        bl #0x55019534a0

CondBranch<9, 10> v72
  0x00005502f200ec:        cbnz x0, #0x5502f200fc

CheckErrOccurred {
  LiveValues<6> b:v31 b:v32 o:v36 o:v45 o:v62 unc:v67
  FrameState {
    CurInstrOffset 124
    Locals<3> v31 v32 v45
    Cells<1> v36
    Stack<1> v62
  }
}
  0x00005502f200f0:        ldr x0, [x23, #0x70]
  0x00005502f200f4:        cbnz x0, #0x5502f2022c
  0x00005502f200f8:        b #0x5502f20100

--unassigned--
  0x00005502f200fc:        mov x20, x0

UpdatePrevInstr<idx:66 line_no:2014: no parent>
  0x00005502f20100:        adrp x0, #0x550147c000
  0x00005502f20104:        add x0, x0, #0x704
  0x00005502f20108:        str x0, [x24, #0x38]

v69:Object = Compare<Equal> v62 v74 {
  LiveValues<6> b:v31 b:v32 o:v36 o:v45 o:v62 o:v74
  FrameState {
    CurInstrOffset 132
    Locals<3> v31 v32 v45
    Cells<1> v36
  }
}
  0x00005502f2010c:        mov x0, x19
  0x00005502f20110:        mov x1, x20
  0x00005502f20114:        mov w2, #2
  0x00005502f20118:        bl #0x5502f20328
  0x00005502f2011c:        mov x24, x0
  0x00005502f20120:        cbz x24, #0x5502f20234

BatchDecref v36 v45 v62 v74
  0x00005502f20124:        mov x0, sp
  0x00005502f20128:        mov x1, #4
  0x00005502f2012c:        stp x25, x26, [x0]
  0x00005502f20130:        stp x19, x20, [x0, #0x10]
  0x00005502f20134:        bl #0x5501950d24

Return v69
  0x00005502f20138:        mov x19, x24
  0x00005502f2013c:        b #0x5502f201a4

v54:OptObject = LoadGlobalCached<2>
  0x00005502f20140:        ldr x0, #0x5502f20270
  0x00005502f20144:        ldr x19, [x0]

Guard v54 {
  LiveValues<5> b:v31 b:v32 o:v36 o:v45 b:v54
  FrameState {
    CurInstrOffset 54
    Locals<3> v31 v32 v45
    Cells<1> v36
  }
}
  0x00005502f20148:        cbz x19, #0x5502f2020c

XIncref v54
  0x00005502f2014c:        cbz x19, #0x5502f20160
  0x00005502f20150:        ldr w0, [x19]
  0x00005502f20154:        adds w0, w0, #1
  0x00005502f20158:        b.mi #0x5502f20160
  0x00005502f2015c:        str w0, [x19]

UpdatePrevInstr<idx:27 line_no:2011: no parent>
  0x00005502f20160:        adrp x0, #0x550147c000
  0x00005502f20164:        add x0, x0, #0x6b6
  0x00005502f20168:        str x0, [x24, #0x38]

Decref v36
  0x00005502f2016c:        ldr x0, [x25]
  0x00005502f20170:        tbnz w0, #0x1f, #0x5502f20188
  0x00005502f20174:        subs x0, x0, #1
  0x00005502f20178:        str x0, [x25]
  0x00005502f2017c:        b.ne #0x5502f20188
  0x00005502f20180:        mov x0, x25
  0x00005502f20184:        bl #0x5502f202e8

Decref v45
  0x00005502f20188:        ldr x0, [x26]
  0x00005502f2018c:        tbnz w0, #0x1f, #0x5502f201a4
  0x00005502f20190:        subs x0, x0, #1
  0x00005502f20194:        str x0, [x26]
  0x00005502f20198:        b.ne #0x5502f201a4
  0x00005502f2019c:        mov x0, x26
  0x00005502f201a0:        bl #0x5502f202e8

--unassigned--
  0x00005502f201a4:        mov x0, x23

Unlink frame
  0x00005502f201a8:        bl #0x55019539a0

Epilogue
  0x00005502f201ac:        mov x0, x19
  0x00005502f201b0:        sub x13, x29, #0xc0
  0x00005502f201b4:        ldur x19, [x13, #-0x10]
  0x00005502f201b8:        ldp x20, x21, [x13, #-0x20]
  0x00005502f201bc:        ldp x22, x23, [x13, #-0x30]
  0x00005502f201c0:        ldp x24, x25, [x13, #-0x40]
  0x00005502f201c4:        ldp x26, x27, [x13, #-0x50]
  0x00005502f201c8:        mov sp, x29
  0x00005502f201cc:        ldp x29, x30, [sp], #0x10
  0x00005502f201d0:        ret 

Stage 1 deoptimization exits
  0x00005502f201d4:        mov x13, xzr
  0x00005502f201d8:        bl #0x5502f2023c
  0x00005502f201dc:        mov x13, #1
  0x00005502f201e0:        bl #0x5502f2023c
  0x00005502f201e4:        mov x13, #2
  0x00005502f201e8:        bl #0x5502f2023c
  0x00005502f201ec:        mov x13, #3
  0x00005502f201f0:        bl #0x5502f2023c
  0x00005502f201f4:        mov x13, #4
  0x00005502f201f8:        bl #0x5502f2023c
  0x00005502f201fc:        mov x13, #5
  0x00005502f20200:        bl #0x5502f2023c
  0x00005502f20204:        mov x13, #6
  0x00005502f20208:        bl #0x5502f2023c
  0x00005502f2020c:        mov x13, #7
  0x00005502f20210:        bl #0x5502f2023c
  0x00005502f20214:        mov x13, #8
  0x00005502f20218:        bl #0x5502f2023c
  0x00005502f2021c:        mov x13, #9
  0x00005502f20220:        bl #0x5502f2023c
  0x00005502f20224:        mov x13, #0xa
  0x00005502f20228:        bl #0x5502f2023c
  0x00005502f2022c:        mov x13, #0xb
  0x00005502f20230:        bl #0x5502f2023c
  0x00005502f20234:        mov x13, #0xc
  0x00005502f20238:        bl #0x5502f2023c

Deoptimization exits
  0x00005502f2023c:        sub sp, sp, #0x40
  0x00005502f20240:        stp x28, x29, [sp]
  0x00005502f20244:        stp x30, x13, [sp, #0x30]
  0x00005502f20248:        mov x30, #0x6000
  0x00005502f2024c:        movk w30, #0x148, lsl #16
  0x00005502f20250:        adr x28, #0x5502f201b0
  0x00005502f20254:        stp x28, x30, [sp, #0x10]
  0x00005502f20258:        b #0x5502e8e000

--unassigned--
  0x00005502f2025c:        mov sp, x29
  0x00005502f20260:        ldp x29, x30, [sp], #0x10
  0x00005502f20264:        ret 
  0x00005502f20268:        RAW: 0x70
  0x00005502f20269:        RAW: 0x5f
  0x00005502f2026a:        RAW: 0x52
  0x00005502f2026b:        udf #0x5501
  0x00005502f2026f:        RAW: 0x00
  0x00005502f20270:        RAW: 0xc0
  0x00005502f20271:        RAW: 0x05
  0x00005502f20272:        RAW: 0x20
  0x00005502f20273:        udf #0x5502
  0x00005502f20277:        RAW: 0x00

