;; Convolutions of few input channels (the first 3x3 conv of YOLOX after its Focus: 12 -> 16 channels)
;; on the pair-row layout written by $pack_rows, requantized on the registers. Hand-written
;; WebAssembly SIMD; V8 does not inline calls, so the per-channel blocks are written out.
(module
  (memory (import "env" "memory") 1 32768 shared)

;; Pair-row layout for conv_rows_rq (below): padded rows Y in [y0, y1) of an image of
;; uint8 channels read through descriptors into int16 pairs, [HP][ncp][WPAD][2] at dst: element
;; ((Y · ncp + k) · wpad + X) · 2 + e = x[2k + e][Y − pt][X − pl] − zx, 0 outside the image (and for
;; a missing odd channel). $desc: 16 bytes per channel (2 · ncp of them) [base, row stride, column
;; step (1 or 2), present (1) or missing (0)]: channel c's pixel (iy, ix) is the byte at base + iy · row stride + ix · step, so
;; a plain NCHW image (step 1) and a strided box of one (the Focus slices of YOLOX: rows and columns
;; ::2 / 1::2, step 2) are packed the same way; a missing channel (zeros) has a readable base. Every
;; byte of the rows is written (no zeroing pass). Blocks of 8 pixels: two 8-byte loads (step 2: a
;; 16-byte load and an even-byte shuffle), widened, zero point subtracted, interleaved; tails scalar.
  (func $pack_rows
    (param $desc i32) (param $ncp i32) (param $h i32) (param $w i32) (param $zx i32) (param $wpad i32)
    (param $pt i32) (param $pl i32) (param $dst i32) (param $y0 i32) (param $y1 i32)
    (local $y i32) (local $iy i32) (local $k i32) (local $row i32) (local $rb i32) (local $ix i32)
    (local $da i32) (local $db i32) (local $sa i32) (local $sb i32) (local $ta i32) (local $tb i32) (local $va i32) (local $vb i32)
    (local $ea i32) (local $eb i32) (local $lim i32) (local $zv v128) (local $a v128) (local $b v128)
    (local.set $zv (i16x8.splat (local.get $zx)))
    (local.set $rb (i32.shl (local.get $wpad) (i32.const 2)))
    (local.set $y (local.get $y0))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_s (local.get $y) (local.get $y1)))
        (local.set $iy (i32.sub (local.get $y) (local.get $pt)))
        (local.set $row (i32.add (local.get $dst) (i32.mul (i32.mul (local.get $y) (local.get $ncp)) (local.get $rb))))
        (if (i32.or (i32.lt_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $iy) (local.get $h)))
          (then (memory.fill (local.get $row) (i32.const 0) (i32.mul (local.get $ncp) (local.get $rb))))
          (else
            (local.set $k (i32.const 0))
            (block $kdone
              (loop $kloop
                (br_if $kdone (i32.ge_s (local.get $k) (local.get $ncp)))
                (local.set $da (i32.add (local.get $desc) (i32.shl (local.get $k) (i32.const 5))))
                (local.set $db (i32.add (local.get $da) (i32.const 16)))
                ;; left and right padding columns
                (memory.fill (local.get $row) (i32.const 0) (i32.shl (local.get $pl) (i32.const 2)))
                (memory.fill (i32.add (local.get $row) (i32.shl (i32.add (local.get $pl) (local.get $w)) (i32.const 2))) (i32.const 0)
                  (i32.sub (local.get $rb) (i32.shl (i32.add (local.get $pl) (local.get $w)) (i32.const 2))))
                (local.set $ea (i32.load offset=12 (local.get $da)))
                (local.set $eb (i32.load offset=12 (local.get $db)))
                (local.set $sa (i32.add (i32.load (local.get $da)) (i32.mul (local.get $iy) (i32.load offset=4 (local.get $da)))))
                (local.set $sb (i32.add (i32.load (local.get $db)) (i32.mul (local.get $iy) (i32.load offset=4 (local.get $db)))))
                (local.set $ta (i32.load offset=8 (local.get $da)))
                (local.set $tb (i32.load offset=8 (local.get $db)))
                ;; vector blocks while the 16-byte loads of step 2 stay inside the row (8 + step − 1 ≤ w − ix)
                (local.set $lim (i32.sub (local.get $w) (i32.add (i32.const 7) (select (local.get $ta) (local.get $tb) (i32.gt_s (local.get $ta) (local.get $tb))))))
                (local.set $ix (i32.const 0))
                (block $vdone
                  (loop $vloop
                    (br_if $vdone (i32.gt_s (local.get $ix) (local.get $lim)))
                    (local.set $a (v128.const i32x4 0 0 0 0))
                    (if (local.get $ea)
                      (then
                        (if (i32.eq (local.get $ta) (i32.const 1))
                          (then (local.set $a (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sa) (local.get $ix)))) (local.get $zv))))
                          (else (local.set $a (i16x8.sub (i16x8.extend_low_i8x16_u (i8x16.shuffle 0 2 4 6 8 10 12 14 0 0 0 0 0 0 0 0
                            (v128.load (i32.add (local.get $sa) (i32.shl (local.get $ix) (i32.const 1)))) (local.get $zv))) (local.get $zv)))))))
                    (local.set $b (v128.const i32x4 0 0 0 0))
                    (if (local.get $eb)
                      (then
                        (if (i32.eq (local.get $tb) (i32.const 1))
                          (then (local.set $b (i16x8.sub (i16x8.extend_low_i8x16_u (v128.load64_zero (i32.add (local.get $sb) (local.get $ix)))) (local.get $zv))))
                          (else (local.set $b (i16x8.sub (i16x8.extend_low_i8x16_u (i8x16.shuffle 0 2 4 6 8 10 12 14 0 0 0 0 0 0 0 0
                            (v128.load (i32.add (local.get $sb) (i32.shl (local.get $ix) (i32.const 1)))) (local.get $zv))) (local.get $zv)))))))
                    (v128.store (i32.add (local.get $row) (i32.shl (i32.add (local.get $pl) (local.get $ix)) (i32.const 2)))
                      (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $a) (local.get $b)))
                    (v128.store offset=16 (i32.add (local.get $row) (i32.shl (i32.add (local.get $pl) (local.get $ix)) (i32.const 2)))
                      (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $a) (local.get $b)))
                    (local.set $ix (i32.add (local.get $ix) (i32.const 8)))
                    (br $vloop)))
                ;; scalar tail
                (block $sdone
                  (loop $sloop
                    (br_if $sdone (i32.ge_s (local.get $ix) (local.get $w)))
                    (local.set $va (select (i32.sub (i32.load8_u (i32.add (local.get $sa) (i32.mul (local.get $ix) (local.get $ta)))) (local.get $zx)) (i32.const 0) (local.get $ea)))
                    (local.set $vb (select (i32.sub (i32.load8_u (i32.add (local.get $sb) (i32.mul (local.get $ix) (local.get $tb)))) (local.get $zx)) (i32.const 0) (local.get $eb)))
                    (i32.store16 (i32.add (local.get $row) (i32.shl (i32.add (local.get $pl) (local.get $ix)) (i32.const 2))) (local.get $va))
                    (i32.store16 offset=2 (i32.add (local.get $row) (i32.shl (i32.add (local.get $pl) (local.get $ix)) (i32.const 2))) (local.get $vb))
                    (local.set $ix (i32.add (local.get $ix) (i32.const 1)))
                    (br $sloop)))
                (local.set $row (i32.add (local.get $row) (local.get $rb)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $kloop)))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $yloop)))
  )

  ;; n < 8 bytes from $src (through $lut when non-zero) to $dst
  (func $rows_tail (param $dst i32) (param $src i32) (param $lut i32) (param $n i32)
    (local $t i32) (local $tv i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $t) (local.get $n)))
        (local.set $tv (i32.load8_u (i32.add (local.get $src) (local.get $t))))
        (if (local.get $lut) (then (local.set $tv (i32.load8_u (i32.add (local.get $lut) (local.get $tv))))))
        (i32.store8 (i32.add (local.get $dst) (local.get $t)) (local.get $tv))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next))))

  ;; conv_rows_rq: convolutions with stride 1 along rows and dilation 1 (any kernel size, row stride
  ;; $sh, padding) of the pair-row layout of $pack_rows ([HP][ncp][WPAD][2] int16), with
  ;; conv1x1.wat's register tile and requantization: pixels in lanes, 8 output pixels of one row x 4
  ;; output channels in 8 accumulators; the input vector of tap (ky, kx), channel pair k for pixels
  ;; ox..ox+3 is the 16 bytes at row (oy·sh + ky, k), column ox + kx, so a kernel column kx is one run
  ;; of kh·ncp steps at a constant stride (wpad · 4 bytes: the rows of a padded input row's pairs and
  ;; of the next input rows follow each other) with no im2col and no offset tables; each step is 2
  ;; loads, 4 splatted weight pairs and 8 i32x4.dot_i16x8_s. Weights per 4 output channels:
  ;; [kx][ky][k][4][2] int16 (pack.ts rowsWeights), bias per channel padded to 4; $rq, $rf, $k16,
  ;; $lut and the requantization (float64 where exact) as conv1x1.wat. Output rows [oy0, oy1) of all channels, uint8 at
  ;; out + oc · plane + oy · ow + ox; a partial last tile (ow mod 8) through this thread's 16-byte $bounce.
  (func $conv_rows
    (param $x i32) (param $w i32) (param $bias i32) (param $out i32) (param $rq i32) (param $lut i32) (param $k16 i32) (param $bounce i32)
    (param $ncp i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $wpad i32) (param $ow i32) (param $plane i32) (param $m i32)
    (param $oy0 i32) (param $oy1 i32) (param $rf i32)
    (local $oy i32) (local $ox i32) (local $hb i32) (local $nhb i32) (local $kx i32) (local $n i32) (local $nj i32)
    (local $xrow i32) (local $orow i32) (local $xq i32) (local $wq i32) (local $wb i32) (local $rstep i32) (local $wquad i32)
    (local $full i32) (local $oc i32) (local $op i32) (local $r i32) (local $rqp i32) (local $rfp i32) (local $bp i32) (local $g i64)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local $xa v128) (local $xb v128) (local $wv v128) (local $mv v128) (local $hv v128) (local $sgn v128) (local $abs v128) (local $va v128) (local $vb v128) (local $t16 v128) (local $lv v128)
    (local.set $lv (i32x4.splat (local.get $lut)))
    (local.set $nhb (i32.shr_u (i32.add (local.get $m) (i32.const 3)) (i32.const 2)))
    (local.set $rstep (i32.shl (local.get $wpad) (i32.const 2)))
    (local.set $nj (i32.mul (local.get $kh) (local.get $ncp)))
    (local.set $wquad (i32.shl (i32.mul (local.get $kw) (local.get $nj)) (i32.const 4)))
    (local.set $oy (local.get $oy0))
    (block $ydone
      (loop $yloop
        (br_if $ydone (i32.ge_s (local.get $oy) (local.get $oy1)))
        (local.set $xrow (i32.add (local.get $x) (i32.mul (i32.mul (i32.mul (local.get $oy) (local.get $sh)) (local.get $ncp)) (local.get $rstep))))
        (local.set $ox (i32.const 0))
        (block $xdone
          (loop $xloop
            (br_if $xdone (i32.ge_s (local.get $ox) (local.get $ow)))
            (local.set $full (i32.le_s (i32.add (local.get $ox) (i32.const 8)) (local.get $ow)))
            (local.set $orow (i32.add (local.get $out) (i32.add (i32.mul (local.get $oy) (local.get $ow)) (local.get $ox))))
            (local.set $hb (i32.const 0))
            (local.set $rqp (local.get $rq))
            (local.set $rfp (local.get $rf))
            (local.set $bp (local.get $bias))
            (local.set $wb (local.get $w))
            (block $hdone
              (loop $hloop
                (br_if $hdone (i32.ge_s (local.get $hb) (local.get $nhb)))
                (local.set $oc (i32.shl (local.get $hb) (i32.const 2)))
                (local.set $a00 (v128.load32_splat offset=0 (local.get $bp)))
                (local.set $a01 (local.get $a00))
                (local.set $a10 (v128.load32_splat offset=4 (local.get $bp)))
                (local.set $a11 (local.get $a10))
                (local.set $a20 (v128.load32_splat offset=8 (local.get $bp)))
                (local.set $a21 (local.get $a20))
                (local.set $a30 (v128.load32_splat offset=12 (local.get $bp)))
                (local.set $a31 (local.get $a30))
                (local.set $wq (local.get $wb))
                (local.set $kx (i32.const 0))
                (block $kdone
                  (loop $kloop
                    (br_if $kdone (i32.ge_s (local.get $kx) (local.get $kw)))
                    (local.set $xq (i32.add (local.get $xrow) (i32.shl (i32.add (local.get $ox) (local.get $kx)) (i32.const 2))))
                    (local.set $n (local.get $nj))
                    (loop $jloop
                      (local.set $xa (v128.load (local.get $xq)))
                      (local.set $xb (v128.load offset=16 (local.get $xq)))
                      (local.set $wv (v128.load32_splat offset=0 (local.get $wq)))
              (local.set $a00 (i32x4.add (local.get $a00) (i32x4.dot_i16x8_s (local.get $xa) (local.get $wv))))
              (local.set $a01 (i32x4.add (local.get $a01) (i32x4.dot_i16x8_s (local.get $xb) (local.get $wv))))
                      (local.set $wv (v128.load32_splat offset=4 (local.get $wq)))
              (local.set $a10 (i32x4.add (local.get $a10) (i32x4.dot_i16x8_s (local.get $xa) (local.get $wv))))
              (local.set $a11 (i32x4.add (local.get $a11) (i32x4.dot_i16x8_s (local.get $xb) (local.get $wv))))
                      (local.set $wv (v128.load32_splat offset=8 (local.get $wq)))
              (local.set $a20 (i32x4.add (local.get $a20) (i32x4.dot_i16x8_s (local.get $xa) (local.get $wv))))
              (local.set $a21 (i32x4.add (local.get $a21) (i32x4.dot_i16x8_s (local.get $xb) (local.get $wv))))
                      (local.set $wv (v128.load32_splat offset=12 (local.get $wq)))
              (local.set $a30 (i32x4.add (local.get $a30) (i32x4.dot_i16x8_s (local.get $xa) (local.get $wv))))
              (local.set $a31 (i32x4.add (local.get $a31) (i32x4.dot_i16x8_s (local.get $xb) (local.get $wv))))
                      (local.set $xq (i32.add (local.get $xq) (local.get $rstep)))
                      (local.set $wq (i32.add (local.get $wq) (i32.const 16)))
                      (br_if $jloop (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
                    (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                    (br $kloop)))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 0)) (local.get $m))
              (then
                (if (i32.load offset=16 (local.get $rfp))
                  (then
                    ;; float64: the zero point rides on the magic constant; clamp on int16 lanes
                    (local.set $mv (v128.load64_splat offset=0 (local.get $rfp)))
                    (local.set $hv (v128.load64_splat offset=8 (local.get $rfp)))
                    (local.set $va (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a00))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a00) (local.get $a00)))))))
                    (local.set $vb (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a01))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a01) (local.get $a01)))))))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb)))) (local.get $va))))
                  (else
                    (local.set $mv (v128.load32_splat offset=0 (local.get $rqp)))
                    (local.set $hv (v128.load32_splat offset=4 (local.get $rqp)))
                    (local.set $r (i32.load offset=8 (local.get $rqp)))
                    (local.set $sgn (i32x4.shr_s (local.get $a00) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a00)))
                    (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $sgn (i32x4.shr_s (local.get $a01) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a01)))
                    (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))))
                (local.set $op (i32.add (local.get $orow) (i32.mul (i32.add (local.get $oc) (i32.const 0)) (local.get $plane))))
                (if (local.get $full)
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $t16 (i16x8.extend_low_i8x16_u (local.get $va)))
                        (local.set $vb (i32x4.add (local.get $lv) (i32x4.extend_high_i16x8_u (local.get $t16))))
                        (local.set $va (i32x4.add (local.get $lv) (i32x4.extend_low_i16x8_u (local.get $t16))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $va)))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $vb)))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $vb)))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))
                  (else (v128.store (local.get $bounce) (local.get $va)) (call $rows_tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $ow) (local.get $ox)))))))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 1)) (local.get $m))
              (then
                (if (i32.load offset=48 (local.get $rfp))
                  (then
                    ;; float64: the zero point rides on the magic constant; clamp on int16 lanes
                    (local.set $mv (v128.load64_splat offset=32 (local.get $rfp)))
                    (local.set $hv (v128.load64_splat offset=40 (local.get $rfp)))
                    (local.set $va (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a10))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a10) (local.get $a10)))))))
                    (local.set $vb (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a11))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a11) (local.get $a11)))))))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb)))) (local.get $va))))
                  (else
                    (local.set $mv (v128.load32_splat offset=16 (local.get $rqp)))
                    (local.set $hv (v128.load32_splat offset=20 (local.get $rqp)))
                    (local.set $r (i32.load offset=24 (local.get $rqp)))
                    (local.set $sgn (i32x4.shr_s (local.get $a10) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a10)))
                    (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $sgn (i32x4.shr_s (local.get $a11) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a11)))
                    (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))))
                (local.set $op (i32.add (local.get $orow) (i32.mul (i32.add (local.get $oc) (i32.const 1)) (local.get $plane))))
                (if (local.get $full)
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $t16 (i16x8.extend_low_i8x16_u (local.get $va)))
                        (local.set $vb (i32x4.add (local.get $lv) (i32x4.extend_high_i16x8_u (local.get $t16))))
                        (local.set $va (i32x4.add (local.get $lv) (i32x4.extend_low_i16x8_u (local.get $t16))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $va)))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $vb)))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $vb)))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))
                  (else (v128.store (local.get $bounce) (local.get $va)) (call $rows_tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $ow) (local.get $ox)))))))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 2)) (local.get $m))
              (then
                (if (i32.load offset=80 (local.get $rfp))
                  (then
                    ;; float64: the zero point rides on the magic constant; clamp on int16 lanes
                    (local.set $mv (v128.load64_splat offset=64 (local.get $rfp)))
                    (local.set $hv (v128.load64_splat offset=72 (local.get $rfp)))
                    (local.set $va (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a20))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a20) (local.get $a20)))))))
                    (local.set $vb (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a21))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a21) (local.get $a21)))))))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb)))) (local.get $va))))
                  (else
                    (local.set $mv (v128.load32_splat offset=32 (local.get $rqp)))
                    (local.set $hv (v128.load32_splat offset=36 (local.get $rqp)))
                    (local.set $r (i32.load offset=40 (local.get $rqp)))
                    (local.set $sgn (i32x4.shr_s (local.get $a20) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a20)))
                    (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $sgn (i32x4.shr_s (local.get $a21) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a21)))
                    (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))))
                (local.set $op (i32.add (local.get $orow) (i32.mul (i32.add (local.get $oc) (i32.const 2)) (local.get $plane))))
                (if (local.get $full)
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $t16 (i16x8.extend_low_i8x16_u (local.get $va)))
                        (local.set $vb (i32x4.add (local.get $lv) (i32x4.extend_high_i16x8_u (local.get $t16))))
                        (local.set $va (i32x4.add (local.get $lv) (i32x4.extend_low_i16x8_u (local.get $t16))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $va)))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $vb)))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $vb)))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))
                  (else (v128.store (local.get $bounce) (local.get $va)) (call $rows_tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $ow) (local.get $ox)))))))
            (if (i32.lt_s (i32.add (local.get $oc) (i32.const 3)) (local.get $m))
              (then
                (if (i32.load offset=112 (local.get $rfp))
                  (then
                    ;; float64: the zero point rides on the magic constant; clamp on int16 lanes
                    (local.set $mv (v128.load64_splat offset=96 (local.get $rfp)))
                    (local.set $hv (v128.load64_splat offset=104 (local.get $rfp)))
                    (local.set $va (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a30))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a30) (local.get $a30)))))))
                    (local.set $vb (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (local.get $a31))))
                      (f64x2.add (local.get $hv) (f64x2.mul (local.get $mv) (f64x2.convert_low_i32x4_s (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $a31) (local.get $a31)))))))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb)))) (local.get $va))))
                  (else
                    (local.set $mv (v128.load32_splat offset=48 (local.get $rqp)))
                    (local.set $hv (v128.load32_splat offset=52 (local.get $rqp)))
                    (local.set $r (i32.load offset=56 (local.get $rqp)))
                    (local.set $sgn (i32x4.shr_s (local.get $a30) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a30)))
                    (local.set $va (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $sgn (i32x4.shr_s (local.get $a31) (i32.const 31)))
                    (local.set $abs (i32x4.abs (local.get $a31)))
                    (local.set $vb (i32x4.sub (v128.xor (local.get $sgn) (i32x4.shr_u (i32x4.add (local.get $hv) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
                      (i64x2.extmul_low_i32x4_u (local.get $abs) (local.get $mv)) (i64x2.extmul_high_i32x4_u (local.get $abs) (local.get $mv))))
                      (local.get $r))) (local.get $sgn)))
                    (local.set $va (i8x16.narrow_i16x8_u (i16x8.min_s (v128.load offset=32 (local.get $k16)) (i16x8.max_s (v128.load offset=16 (local.get $k16))
                      (i16x8.add_sat_s (v128.load (local.get $k16)) (i16x8.narrow_i32x4_s (local.get $va) (local.get $vb))))) (local.get $va)))))
                (local.set $op (i32.add (local.get $orow) (i32.mul (i32.add (local.get $oc) (i32.const 3)) (local.get $plane))))
                (if (local.get $full)
                  (then
                    (if (i32.eqz (local.get $lut))
                      (then (v128.store64_lane 0 (local.get $op) (local.get $va)))
                      (else
                        (local.set $t16 (i16x8.extend_low_i8x16_u (local.get $va)))
                        (local.set $vb (i32x4.add (local.get $lv) (i32x4.extend_high_i16x8_u (local.get $t16))))
                        (local.set $va (i32x4.add (local.get $lv) (i32x4.extend_low_i16x8_u (local.get $t16))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $va)))
                        (i32.store8 offset=0 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=1 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $va)))
                        (i32.store8 offset=2 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=3 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 0 (local.get $vb)))
                        (i32.store8 offset=4 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=5 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32)))))
                        (local.set $g (i64x2.extract_lane 1 (local.get $vb)))
                        (i32.store8 offset=6 (local.get $op) (i32.load8_u (i32.wrap_i64 (local.get $g))))
                        (i32.store8 offset=7 (local.get $op) (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $g) (i64.const 32))))))))
                  (else (v128.store (local.get $bounce) (local.get $va)) (call $rows_tail (local.get $op) (local.get $bounce) (local.get $lut) (i32.sub (local.get $ow) (local.get $ox)))))))
                (local.set $rqp (i32.add (local.get $rqp) (i32.const 64)))
                (local.set $rfp (i32.add (local.get $rfp) (i32.const 128)))
                (local.set $bp (i32.add (local.get $bp) (i32.const 16)))
                (local.set $wb (i32.add (local.get $wb) (local.get $wquad)))
                (local.set $hb (i32.add (local.get $hb) (i32.const 1)))
                (br $hloop)))
            (local.set $ox (i32.add (local.get $ox) (i32.const 8)))
            (br $xloop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $yloop)))
  )

  ;; One job of a layer: output rows [oy0, oy1) in bands of R rows; each band's padded input rows
  ;; are packed ($pack_rows) into this thread's buffer $buf just before the band is convolved
  ;; ($conv_rows), so they are read from L1/L2 instead of a whole packed image (1 MB for YOLOX's
  ;; first conv) written and read back. Rows shared by two bands are packed twice. $pp: i32 words
  ;; [desc, ncp, h, w, zx, wpad, pt, pl, weights, bias, out, rq, lut, k16, kh, kw, sh, ow, plane, m, hp, R, rf].
  (func (export "conv_rows_band") (param $pp i32) (param $oy0 i32) (param $oy1 i32) (param $buf i32) (param $bounce i32)
    (local $oy i32) (local $oe i32) (local $y0 i32) (local $y1 i32) (local $base i32) (local $sh i32) (local $kh i32) (local $rows i32)
    (local.set $sh (i32.load offset=64 (local.get $pp)))
    (local.set $kh (i32.load offset=56 (local.get $pp)))
    (local.set $rows (i32.load offset=84 (local.get $pp)))
    (local.set $oy (local.get $oy0))
    (block $done
      (loop $band
        (br_if $done (i32.ge_s (local.get $oy) (local.get $oy1)))
        (local.set $oe (select (i32.add (local.get $oy) (local.get $rows)) (local.get $oy1)
          (i32.lt_s (i32.add (local.get $oy) (local.get $rows)) (local.get $oy1))))
        (local.set $y0 (i32.mul (local.get $oy) (local.get $sh)))
        (local.set $y1 (i32.add (i32.mul (i32.sub (local.get $oe) (i32.const 1)) (local.get $sh)) (local.get $kh)))
        (if (i32.gt_s (local.get $y1) (i32.load offset=80 (local.get $pp))) (then (local.set $y1 (i32.load offset=80 (local.get $pp)))))
        ;; the buffer holds rows [y0, y1): address of padded row 0 as if the whole image were there
        (local.set $base (i32.sub (local.get $buf)
          (i32.mul (i32.mul (local.get $y0) (i32.load offset=4 (local.get $pp))) (i32.shl (i32.load offset=20 (local.get $pp)) (i32.const 2)))))
        (call $pack_rows (i32.load (local.get $pp)) (i32.load offset=4 (local.get $pp)) (i32.load offset=8 (local.get $pp)) (i32.load offset=12 (local.get $pp))
          (i32.load offset=16 (local.get $pp)) (i32.load offset=20 (local.get $pp)) (i32.load offset=24 (local.get $pp)) (i32.load offset=28 (local.get $pp))
          (local.get $base) (local.get $y0) (local.get $y1))
        (call $conv_rows (local.get $base) (i32.load offset=32 (local.get $pp)) (i32.load offset=36 (local.get $pp)) (i32.load offset=40 (local.get $pp))
          (i32.load offset=44 (local.get $pp)) (i32.load offset=48 (local.get $pp)) (i32.load offset=52 (local.get $pp)) (local.get $bounce)
          (i32.load offset=4 (local.get $pp)) (local.get $kh) (i32.load offset=60 (local.get $pp)) (local.get $sh) (i32.load offset=20 (local.get $pp))
          (i32.load offset=68 (local.get $pp)) (i32.load offset=72 (local.get $pp)) (i32.load offset=76 (local.get $pp)) (local.get $oy) (local.get $oe)
          (i32.load offset=88 (local.get $pp)))
        (local.set $oy (local.get $oe))
        (br $band)))
  )
)
