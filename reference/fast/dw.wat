;; Depthwise 3x3 convolution with fused packing and requantization (hand-written WebAssembly SIMD):
;; one channel at a time, the uint8 input channel is packed (pack.wat pack_dw_u8, copied below) into
;; this thread's buffer, which stays in L1/L2 (the separate pass wrote every channel's int16 copy
;; to fresh memory first), then the inner loop of conv-int.wat conv_dw (8 output pixels of a row in
;; two i32x4, taps (t, t+1) interleaved and dotted with the weight pair (w[t], w[t+1]) by
;; i32x4.dot_i16x8_s) runs on it, and the accumulators are requantized on the registers and stored as uint8 codes
;; (through the optional 256-entry table $lut) instead of going through memory as int32 and a
;; second pass (requant.wat): the same rule as conv1x1.wat, for r = 31 + shift in [33, 62] (checked
;; by the caller): (|acc|·m + 2^(r−1)) >> r = (H + 2^(r−33)) >> (r − 32), H the high word of the
;; exact unsigned product (the low word cannot carry across a multiple of 2^r), sign, then zero
;; point and clamp on int16 lanes after a saturating narrow. $rq: per channel [m, 2^(r−33), r − 32, 0];
;; $k16: three i16x8 [zp], [qmin], [qmax]. Output: uint8 [C][OH][OW] at $out, rows $ow bytes apart.
(module
  (memory (import "env" "memory") 1 32768 shared)

  ;; the last partial vector of a row: n < 8 bytes from $src (through $lut when non-zero) to $dst
  (func $tail (param $dst i32) (param $src i32) (param $lut i32) (param $n i32)
    (local $t i32) (local $tv i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $t) (local.get $n)))
        (local.set $tv (i32.load8_u (i32.add (local.get $src) (local.get $t))))
        (if (local.get $lut) (then (local.set $tv (i32.load8_u (i32.add (local.get $lut) (local.get $tv))))))
        (i32.store8 (i32.add (local.get $dst) (local.get $t)) (local.get $tv))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next))))

  ;; a copy of pack.wat pack_dw_u8 (called here for one channel at a time, into an L1-sized buffer)
  (func $pack
    (param $src i32) (param $dst i32) (param $h i32) (param $w i32) (param $zx i32) (param $sw i32)
    (param $hp i32) (param $wps i32) (param $pt i32) (param $pl i32) (param $region i32)
    (param $c0 i32) (param $c1 i32) (param $fill i32)
    (local $c i32) (local $iy i32) (local $ph i32) (local $ix i32) (local $sp i32) (local $dp i32)
    (local $srow i32) (local $cd i32) (local $zv v128) (local $xv v128) (local $d0 i32) (local $d1 i32)
    (local.set $zv (i16x8.splat (local.get $zx)))
    (local.set $c (local.get $c0))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $c1)))
        (local.set $cd (i32.add (local.get $dst) (i32.mul (local.get $c) (local.get $region))))
        (if (local.get $fill) (then (memory.fill (local.get $cd) (i32.const 0) (local.get $region))))
        (local.set $iy (i32.const 0))
        (block $ydone
          (loop $yloop
            (br_if $ydone (i32.ge_s (local.get $iy) (local.get $h)))
            (local.set $srow (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (local.get $c) (local.get $h)) (local.get $iy)) (local.get $w))))
            (if (i32.eq (local.get $sw) (i32.const 2))
              (then
                ;; stride 2: 16 columns per step split into even / odd bytes; column ix goes to phase
                ;; (ix + pl) & 1 at index (ix + pl) >> 1, so even ix -> phase pl & 1, index ix/2 + pl/2,
                ;; odd ix -> phase 1 - (pl & 1), index ix/2 + (pl + 1)/2
                (local.set $ix (i32.const 0))
                ;; byte addresses of column 0's even / odd halves in this row (ix is a multiple of 16:
                ;; index ix/2 + ... is byte ix + ...), computed once per row (V8 does not hoist them)
                (local.set $d0 (i32.add (local.get $cd) (i32.shl (i32.add
                  (i32.mul (i32.add (i32.mul (i32.and (local.get $pl) (i32.const 1)) (local.get $hp)) (i32.add (local.get $iy) (local.get $pt))) (local.get $wps))
                  (i32.shr_u (local.get $pl) (i32.const 1))) (i32.const 1))))
                (local.set $d1 (i32.add (local.get $cd) (i32.shl (i32.add
                  (i32.mul (i32.add (i32.mul (i32.sub (i32.const 1) (i32.and (local.get $pl) (i32.const 1))) (local.get $hp)) (i32.add (local.get $iy) (local.get $pt))) (local.get $wps))
                  (i32.shr_u (i32.add (local.get $pl) (i32.const 1)) (i32.const 1))) (i32.const 1))))
                (block $v2done
                  (loop $v2loop
                    (br_if $v2done (i32.gt_s (i32.add (local.get $ix) (i32.const 16)) (local.get $w)))
                    (local.set $xv (v128.load (i32.add (local.get $srow) (local.get $ix))))
                    (v128.store (i32.add (local.get $d0) (local.get $ix))
                      (i16x8.sub (i16x8.extend_low_i8x16_u (i8x16.shuffle 0 2 4 6 8 10 12 14 0 0 0 0 0 0 0 0 (local.get $xv) (local.get $xv))) (local.get $zv)))
                    (v128.store (i32.add (local.get $d1) (local.get $ix))
                      (i16x8.sub (i16x8.extend_low_i8x16_u (i8x16.shuffle 1 3 5 7 9 11 13 15 0 0 0 0 0 0 0 0 (local.get $xv) (local.get $xv))) (local.get $zv)))
                    (local.set $ix (i32.add (local.get $ix) (i32.const 16)))
                    (br $v2loop)))
                (block $t2done
                  (loop $t2loop
                    (br_if $t2done (i32.ge_s (local.get $ix) (local.get $w)))
                    (i32.store16 (i32.add (local.get $cd) (i32.shl (i32.add
                        (i32.mul (i32.add (i32.mul (i32.and (i32.add (local.get $ix) (local.get $pl)) (i32.const 1)) (local.get $hp)) (i32.add (local.get $iy) (local.get $pt))) (local.get $wps))
                        (i32.shr_u (i32.add (local.get $ix) (local.get $pl)) (i32.const 1))) (i32.const 1)))
                      (i32.sub (i32.load8_u (i32.add (local.get $srow) (local.get $ix))) (local.get $zx)))
                    (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                    (br $t2loop))))
              (else
            (local.set $ph (i32.const 0))
            (block $pdone
              (loop $ploop
                (br_if $pdone (i32.ge_s (local.get $ph) (local.get $sw)))
                ;; first ix with (ix + pl) mod sw = ph
                (local.set $ix (i32.rem_u (i32.add (i32.sub (local.get $ph) (i32.rem_u (local.get $pl) (local.get $sw))) (local.get $sw)) (local.get $sw)))
                (local.set $dp (i32.add (local.get $cd) (i32.shl (i32.add
                  (i32.mul (i32.add (i32.mul (local.get $ph) (local.get $hp)) (i32.add (local.get $iy) (local.get $pt))) (local.get $wps))
                  (i32.div_u (i32.add (local.get $ix) (local.get $pl)) (local.get $sw))) (i32.const 1))))
                (if (i32.eq (local.get $sw) (i32.const 1))
                  (then
                    (block $vdone
                      (loop $vloop
                        (br_if $vdone (i32.gt_s (i32.add (local.get $ix) (i32.const 8)) (local.get $w)))
                        (v128.store (local.get $dp) (i16x8.sub (i16x8.extend_low_i8x16_u
                          (v128.load64_zero (i32.add (local.get $srow) (local.get $ix)))) (local.get $zv)))
                        (local.set $dp (i32.add (local.get $dp) (i32.const 16)))
                        (local.set $ix (i32.add (local.get $ix) (i32.const 8)))
                        (br $vloop)))))
                (block $xdone
                  (loop $xloop
                    (br_if $xdone (i32.ge_s (local.get $ix) (local.get $w)))
                    (i32.store16 (local.get $dp) (i32.sub (i32.load8_u (i32.add (local.get $srow) (local.get $ix))) (local.get $zx)))
                    (local.set $dp (i32.add (local.get $dp) (i32.const 2)))
                    (local.set $ix (i32.add (local.get $ix) (local.get $sw)))
                    (br $xloop)))
                (local.set $ph (i32.add (local.get $ph) (i32.const 1)))
                (br $ploop)))))
            (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
            (br $yloop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))

  ;; channels [c0, c1), output rows [r0, r1) of uint8 NCHW channels at $src; $x: this thread's buffer of
  ;; $cstride bytes; $w, $bias, $rowoff, $tap, $cstride, $tiles as conv_dw (10 taps)
  (func (export "conv_dw_rq")
    (param $x i32) (param $w i32) (param $bias i32) (param $out i32)
    (param $rowoff i32) (param $tap i32) (param $cstride i32)
    (param $tiles i32) (param $oh i32) (param $c0 i32) (param $c1 i32) (param $r0 i32) (param $r1 i32) (param $ow i32)
    (param $rq i32) (param $lut i32) (param $k16 i32) (param $bounce i32) (param $src i32) (param $geo i32)
    (local $c i32) (local $oy i32) (local $k i32) (local $r i32) (local $g i64)
    (local $xc i32) (local $wc i32) (local $oc i32) (local $xr i32) (local $xt i32) (local $or i32) (local $op i32)
    (local $bv v128) (local $s0 v128) (local $s1 v128) (local $xv v128) (local $xw v128)
    (local $w0 v128) (local $w1 v128) (local $w2 v128) (local $w3 v128) (local $w4 v128)
    (local $mv v128) (local $hv v128) (local $sgn v128) (local $abs v128) (local $va v128) (local $vb v128)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $o4 i32)
    (local $o5 i32) (local $o6 i32) (local $o7 i32) (local $o8 i32) (local $o9 i32)
    (local.set $o0 (i32.load offset=0 (local.get $tap)))
    (local.set $o1 (i32.load offset=4 (local.get $tap)))
    (local.set $o2 (i32.load offset=8 (local.get $tap)))
    (local.set $o3 (i32.load offset=12 (local.get $tap)))
    (local.set $o4 (i32.load offset=16 (local.get $tap)))
    (local.set $o5 (i32.load offset=20 (local.get $tap)))
    (local.set $o6 (i32.load offset=24 (local.get $tap)))
    (local.set $o7 (i32.load offset=28 (local.get $tap)))
    (local.set $o8 (i32.load offset=32 (local.get $tap)))
    (local.set $o9 (i32.load offset=36 (local.get $tap)))
    (local.set $c (local.get $c0))
    (block $cdone
      (loop $cloop
        (br_if $cdone (i32.ge_s (local.get $c) (local.get $c1)))
        ;; pack channel c into this thread's buffer $x ($geo: h, w, zx, sw, hp, wps, pt, pl)
        (call $pack (local.get $src) (i32.sub (local.get $x) (i32.mul (local.get $c) (local.get $cstride)))
          (i32.load offset=0 (local.get $geo)) (i32.load offset=4 (local.get $geo)) (i32.load offset=8 (local.get $geo)) (i32.load offset=12 (local.get $geo))
          (i32.load offset=16 (local.get $geo)) (i32.load offset=20 (local.get $geo)) (i32.load offset=24 (local.get $geo)) (i32.load offset=28 (local.get $geo))
          (local.get $cstride) (local.get $c) (i32.add (local.get $c) (i32.const 1))
          ;; zero the buffer for the job's first channel only: every channel writes the same positions
          (i32.eq (local.get $c) (local.get $c0)))
        (local.set $xc (local.get $x))
        (local.set $wc (i32.add (local.get $w) (i32.mul (local.get $c) (i32.const 20))))
        (local.set $bv (v128.load32_splat (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2)))))
        (local.set $w0 (v128.load32_splat offset=0 (local.get $wc)))
        (local.set $w1 (v128.load32_splat offset=4 (local.get $wc)))
        (local.set $w2 (v128.load32_splat offset=8 (local.get $wc)))
        (local.set $w3 (v128.load32_splat offset=12 (local.get $wc)))
        (local.set $w4 (v128.load32_splat offset=16 (local.get $wc)))
        (local.set $mv (v128.load32_splat (i32.add (local.get $rq) (i32.shl (local.get $c) (i32.const 4)))))
        (local.set $hv (v128.load32_splat offset=4 (i32.add (local.get $rq) (i32.shl (local.get $c) (i32.const 4)))))
        (local.set $r (i32.load offset=8 (i32.add (local.get $rq) (i32.shl (local.get $c) (i32.const 4)))))
        (local.set $oc (i32.add (local.get $out) (i32.mul (i32.mul (local.get $c) (local.get $oh)) (local.get $ow))))
        (local.set $oy (local.get $r0))
        (block $ydone
          (loop $yloop
            (br_if $ydone (i32.ge_s (local.get $oy) (local.get $r1)))
            (local.set $xr (i32.add (local.get $xc) (i32.load (i32.add (local.get $rowoff) (i32.shl (local.get $oy) (i32.const 2))))))
            (local.set $or (i32.add (local.get $oc) (i32.mul (local.get $oy) (local.get $ow))))
            (local.set $k (i32.const 0))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_s (local.get $k) (local.get $tiles)))
                (local.set $xt (i32.add (local.get $xr) (i32.shl (local.get $k) (i32.const 4))))
                (local.set $s0 (local.get $bv))
                (local.set $s1 (local.get $bv))
                (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o0))))
                (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o1))))
                (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w0))))
                (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w0))))
                (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o2))))
                (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o3))))
                (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w1))))
                (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w1))))
                (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o4))))
                (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o5))))
                (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w2))))
                (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w2))))
                (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o6))))
                (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o7))))
                (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w3))))
                (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w3))))
                (local.set $xv (v128.load (i32.add (local.get $xt) (local.get $o8))))
                (local.set $xw (v128.load (i32.add (local.get $xt) (local.get $o9))))
                (local.set $s0 (i32x4.add (local.get $s0) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $xv) (local.get $xw)) (local.get $w4))))
                (local.set $s1 (i32x4.add (local.get $s1) (i32x4.dot_i16x8_s
                  (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $xv) (local.get $xw)) (local.get $w4))))
                (local.set $sgn (i32x4.shr_s (local.get $s0) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $s0)))
                (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                  (local.get $r))) (local.get $sgn)))
                (local.set $sgn (i32x4.shr_s (local.get $s1) (i32.const 31)))
                (local.set $abs (i32x4.abs (local.get $s1)))
                (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                  (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                  (local.get $r))) (local.get $sgn)))
                (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                  (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))
                (local.set $op (i32.add (local.get $or) (i32.shl (local.get $k) (i32.const 3))))
                (if (i32.le_s (i32.shl (i32.add (local.get $k) (i32.const 1)) (i32.const 3)) (local.get $ow))
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (local.get $g)) (i32.const 255)))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 8))) (i32.const 255)))))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 16))) (i32.const 255)))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 24))) (i32.const 255)))))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))) (i32.const 255)))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 40))) (i32.const 255)))))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 48))) (i32.const 255)))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.add (local.get $lut) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 56))) (i32.const 255)))))
                      )))
                  (else (v128.store (local.get $bounce) (local.get $va))
                    (call $tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $ow) (i32.shl (local.get $k) (i32.const 3))))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $kloop)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $yloop)))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $cloop))))
)
